"""Tongzhou · North Three Counties (北三县) conference analysis.

``analysis.data.load`` is the one loader; ``analysis.results.compute`` turns a dataset and a year into
every figure (``metrics``, ``claims``, ``projection``); ``vocab``, ``prose``, ``tables``, ``plotting``,
``page`` and ``output`` render them; ``build`` runs the notebooks; ``cli`` is ``python -m analysis``.
The README's layout section lists every module.
"""

__version__ = "0.2.0"
