"""Bayesian projection model: projects signed, intended investment and landing (numpy/scipy only).

One module per job, each importing only the ones above it in this list:

* :mod:`~analysis.stats.model.inputs`: what the model is fitted to (:class:`PeriodObs`,
  :class:`LandingObs`), the model names and prediction levels, and helpers shared by the others;
* :mod:`~analysis.stats.model.importance`: Pareto-smoothed importance sampling and its generalized Pareto fit;
* :mod:`~analysis.stats.model.landing`: the landing-by-cohort model (:func:`fit_landing`,
  :class:`LandingPosterior`);
* :mod:`~analysis.stats.model.signings`: the counts and investment model and its inference
  (:func:`fit`, :class:`Posterior`, :func:`sample_prior_paths`).

Callers import from here (``from analysis.stats import model as M; M.fit(...)``). The priors, each with
its reason, are ``PRIORS`` of :mod:`analysis.core.config`. What is modelled and how it is inferred is told
in the module of each part.
"""

from ...core.config import INVESTMENT_MEASUREMENT_SD, PRIORS, Prior
from .inputs import LEVELS, MODELS, LandingObs, PeriodObs, central_interval, log_sd_of_bounds, time_nodes
from .landing import LandingPosterior, fit_landing, leave_one_out, statement_predictive
from .signings import Posterior, fit, fit_many, sample_prior_paths

__all__ = [
    "INVESTMENT_MEASUREMENT_SD",
    "LEVELS",
    "LandingObs",
    "LandingPosterior",
    "MODELS",
    "PRIORS",
    "PeriodObs",
    "Posterior",
    "Prior",
    "central_interval",
    "log_sd_of_bounds",
    "fit",
    "fit_landing",
    "fit_many",
    "leave_one_out",
    "statement_predictive",
    "time_nodes",
    "sample_prior_paths",
]
