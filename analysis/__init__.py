"""Tongzhou · North Three Counties (北三县) conference analysis.

``analysis.data.load`` is the one loader; ``metrics``, ``claims`` and ``projection`` compute from it;
``plotting`` draws; ``build`` runs the notebooks; ``cli`` is ``python -m analysis``.
"""

__version__ = "0.1.0"
