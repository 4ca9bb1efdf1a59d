"""Pareto-smoothed importance sampling (Vehtari et al.) and the generalized Pareto fit behind it."""

from __future__ import annotations

import math

import numpy as np


def _gpd_fit(x: np.ndarray) -> tuple[float, float]:
    """Generalized Pareto fit (Zhang & Stephens 2009, with the weak prior used by PSIS)."""
    n = len(x)
    prior_bs, prior_k = 3, 10
    m_est = 30 + int(math.sqrt(n))
    b = 1 - np.sqrt(m_est / (np.arange(1, m_est + 1) - 0.5))
    b /= prior_bs * x[int(n / 4 + 0.5) - 1]
    b += 1 / x[-1]
    k = np.log1p(-b[:, None] * x).mean(axis=1)
    len_scale = n * (np.log(-(b / k)) - k - 1)
    w = 1 / np.exp(len_scale - len_scale[:, None]).sum(axis=1)
    keep = w >= 10 * np.finfo(float).eps
    w, b = w[keep], b[keep]
    w /= w.sum()
    b_post = np.sum(b * w)
    k_post = np.log1p(-b_post * x).mean()
    sigma = -k_post / b_post
    k_post = (n * k_post + prior_k * 0.5) / (n + prior_k)
    return float(k_post), float(sigma)


def psis(log_w: np.ndarray) -> tuple[np.ndarray, float]:
    """Pareto-smoothed importance weights (Vehtari et al.).

    Parameters
    ----------
    log_w : numpy.ndarray
        Log importance ratios.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        The normalised weights and the Pareto k-hat of their tail (below 0.5: reliable; ``inf`` when the
        tail is too short to fit).

    Examples
    --------
    >>> import numpy as np
    >>> w, khat = psis(np.random.default_rng(0).normal(size=1000))
    >>> round(float(w.sum()), 12), bool(khat < 0.5)
    (1.0, True)
    """
    n = len(log_w)
    x = log_w - np.max(log_w)
    tail_len = int(math.ceil(min(0.2 * n, 3 * math.sqrt(n))))
    order = np.argsort(x)
    cutoff = max(x[order[-tail_len - 1]], math.log(np.finfo(float).tiny))
    tail = order[-tail_len:]
    tail = tail[x[tail] > cutoff]
    khat = math.inf
    if len(tail) > 4:
        xt = np.exp(x[tail]) - math.exp(cutoff)
        khat, sigma = _gpd_fit(xt)
        if np.isfinite(khat):
            p = np.arange(0.5, len(tail)) / len(tail)
            with np.errstate(over="ignore", invalid="ignore"):
                if abs(khat) > 1e-10:
                    sm = sigma * np.expm1(-khat * np.log1p(-p)) / khat
                else:
                    sm = -sigma * np.log1p(-p)
            if np.all(np.isfinite(sm)):
                x[tail[np.argsort(x[tail])]] = np.minimum(np.log(sm + math.exp(cutoff)), 0.0)
    w = np.exp(x - np.max(x))
    return w / w.sum(), khat
