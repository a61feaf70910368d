"""LMS arithmetic exactly as WHO's anthro/anthroplus R packages do it, vectorised.

Operation order copies the R source so results agree to the last bit where the platform's
``pow`` agrees (numbers below refer to /work/shared/reference/who-growth-algorithm.md).
"""

from __future__ import annotations

import numpy as np


def lms_z(y: np.ndarray, l: np.ndarray, m: np.ndarray, s: np.ndarray) -> np.ndarray:  # noqa: E741
    """Rule 8: z = ((y / M)^L - 1) / (S * L)."""
    with np.errstate(all="ignore"):
        return (np.power(y / m, l) - 1) / (s * l)


def sd_curve(l, m, s, k):  # noqa: E741
    """Rule 9: SDk = M * (1 + L*S*k)^(1/L) (the measurement at z = k)."""
    with np.errstate(all="ignore"):
        return m * np.power(1 + l * s * k, 1 / l)


def restrict(z: np.ndarray, y, l, m, s) -> np.ndarray:  # noqa: E741
    """Rule 9, in place on ``z``: beyond +/-3 SD the distance is measured in the SD2-SD3 step.

    SD2/SD3 are only computed for the few rows beyond +/-3 (the powers are the expensive part).
    """
    with np.errstate(invalid="ignore"):
        high = np.flatnonzero(z > 3)
        low = np.flatnonzero(z < -3)
    if high.size:
        lh, mh, sh = l[high], m[high], s[high]
        sd3 = sd_curve(lh, mh, sh, 3)
        sd23 = sd3 - sd_curve(lh, mh, sh, 2)
        with np.errstate(all="ignore"):
            z[high] = 3 + (y[high] - sd3) / sd23
    if low.size:
        ll, ml, sl = l[low], m[low], s[low]
        sd3neg = sd_curve(ll, ml, sl, -3)
        sd23neg = sd_curve(ll, ml, sl, -2) - sd3neg
        with np.errstate(all="ignore"):
            z[low] = -3 + (y[low] - sd3neg) / sd23neg
    return z


def value_at_z(z, l, m, s, restricted: bool) -> np.ndarray:  # noqa: E741
    """Inverse of rule 8 (and of rule 9 when ``restricted``): the measurement at z."""
    z = np.asarray(z, dtype=np.float64)
    l, m, s = (np.asarray(a, dtype=np.float64) for a in (l, m, s))  # noqa: E741
    z, l, m, s = np.broadcast_arrays(z, l, m, s)  # noqa: E741
    with np.errstate(all="ignore"):
        y = np.where(l == 0, m * np.exp(s * z), m * np.power(1 + l * s * z, 1 / l))
        if restricted:
            high = z > 3
            low = z < -3
            if high.any():
                sd3 = sd_curve(l, m, s, 3)
                sd2 = sd_curve(l, m, s, 2)
                y = np.where(high, sd3 + (z - 3) * (sd3 - sd2), y)
            if low.any():
                sd3neg = sd_curve(l, m, s, -3)
                sd2neg = sd_curve(l, m, s, -2)
                y = np.where(low, sd3neg + (z + 3) * (sd2neg - sd3neg), y)
    return y


def round_r(x: np.ndarray, digits: int = 2) -> np.ndarray:
    """Rule 15: R's round(x, digits) (R >= 4.0.0), not Python's.

    Take the nearer of floor/ceil of |x| * 10^digits (divided back); when both are exactly as
    near (as doubles), take the ceiling if the floor is odd, else the floor. The sign is
    restored afterwards and -0 becomes 0. NaN and +/-Inf pass through.
    """
    x = np.asarray(x, dtype=np.float64)
    p10 = 10.0**digits
    a = np.abs(x)
    x10 = a * p10
    f = np.floor(x10)
    lo = f / p10
    hi = np.ceil(x10)
    hi /= p10
    with np.errstate(invalid="ignore"):
        dlo = a - lo
        dhi = np.subtract(hi, a, out=x10)  # x10 is no longer needed
        take_hi = dhi < dlo
        tie = dhi == dlo
        if tie.any():  # exact ties are rare: fmod only where needed
            at = np.flatnonzero(tie)
            take_hi[at] = np.fmod(f[at], 2.0) == 1.0
    np.copyto(lo, hi, where=take_hi)  # Inf stays Inf: both differences are NaN, lo is kept
    np.copysign(lo, x, out=lo)
    lo += 0.0  # -0.0 + 0.0 is +0.0
    return lo
