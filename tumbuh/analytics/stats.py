"""Small statistics the prevalence table needs, without scipy: Student t and normal quantiles,
and the estimators WHO `anthro` uses for data without cluster, strata or weights
(R/prevalence-simple.R: `logit_rate_estimate`, `zscore_estimate`, `sample_se`)."""

from __future__ import annotations

import functools
import math
from functools import lru_cache

import numpy as np

SIGNIFICANCE = 0.05  # anthro's prevalence_significance_level


def normal_quantile(p: float) -> float:
    """Inverse standard normal CDF (Acklam's rational approximation, then one Halley step)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    elif p > 1 - 0.02425:
        return -normal_quantile(1 - p)
    else:
        q = p - 0.5
        r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
            ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    e = 0.5 * math.erfc(-x / math.sqrt(2)) - p
    u = e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
    return x - u / (1 + x * u / 2)


def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction for the regularized incomplete beta (modified Lentz).
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """R's qt(p, df) for p > 0.5 (all this module needs)."""
    if df <= 0 or math.isnan(df):
        return math.nan
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) * math.sqrt(2 / (4 * p * (1 - p)))
    z = normal_quantile(p)
    if df > 2000:
        # Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5); error far below 1e-10 here.
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
        return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
    lo, hi = 0.0, max(2 * z, 1.0)
    while t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


@functools.lru_cache(maxsize=8192)
def critical_value(total_rows: int) -> float:
    """anthro's qt(1 - 0.05/2, df = N - 1), N the rows in the design. Cached: a bisection per
    distinct N, and a dashboard asks for one per ranked unit and trend point."""
    return t_quantile(1 - SIGNIFICANCE / 2, float(total_rows - 1)) if total_rows > 1 else math.nan


def proportion_estimate(k, n, total_rows: int):
    """Rate, SE and logit CI as anthro's `logit_rate_estimate`, vectorised over groups.

    k: cases, n: non-missing values in each group, total_rows: N, all rows of the design (the
    domain estimator's scale N/(N-1) and df N-1). Returns percentages (r, se, ll, ul)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = k / n
        scale = total_rows / (total_rows - 1) if total_rows > 1 else math.nan
        se = np.sqrt(scale) * np.sqrt(r * (1 - r) / n)
        t = critical_value(total_rows)
        logit = np.log(r / (1 - r))
        se_logit = np.sqrt(scale / (n * r * (1 - r)))
        ll = 1 / (1 + np.exp(-(logit - t * se_logit)))
        ul = 1 / (1 + np.exp(-(logit + t * se_logit)))
    # anthro's special cases: a rate of 0 or 1 has the degenerate interval [r, r].
    ll = np.where(r == 0, 0.0, np.where(r == 1, 1.0, ll))
    ul = np.where(r == 0, 0.0, np.where(r == 1, 1.0, ul))
    empty = n == 0
    out = [np.where(empty, np.nan, v * 100) for v in (r, se, ll, ul)]
    return tuple(out)


def mean_estimate(n, total, total_sq, total_rows: int):
    """Mean, SE, t CI and SD as anthro's `zscore_estimate`, from per-group n, sum and sum of
    squares (so one pass over the data serves every group)."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        ss = np.maximum(total_sq - total * mean, 0.0)
        scale = total_rows / (total_rows - 1) if total_rows > 1 else math.nan
        se = np.sqrt(scale) / n * np.sqrt(ss)
        t = critical_value(total_rows)
        sd = np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)
    empty = n == 0
    mean = np.where(empty, np.nan, mean)
    se = np.where(empty, np.nan, se)
    return mean, se, mean - t * se, mean + t * se, sd
