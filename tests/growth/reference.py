"""An independent, slow oracle for the WHO formulas, in 50-digit decimal arithmetic.

The expected values written into the tests were derived with it from the published LMS
numbers; test_properties.py also compares the engine with it on random inputs. It shares no code
with tumbuh.growth.
"""

from __future__ import annotations

from decimal import Decimal, getcontext

getcontext().prec = 50


def dec(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(float(x)))


def power(base: Decimal, exponent: Decimal) -> Decimal:
    return (exponent * base.ln()).exp()


def z_plain(y, lam, mu, sigma) -> Decimal:
    y, lam, mu, sigma = dec(y), dec(lam), dec(mu), dec(sigma)
    return (power(y / mu, lam) - 1) / (sigma * lam)


def sd(lam, mu, sigma, k) -> Decimal:
    lam, mu, sigma = dec(lam), dec(mu), dec(sigma)
    return mu * power(1 + lam * sigma * dec(k), 1 / lam)


def z_restricted(y, lam, mu, sigma) -> Decimal:
    z = z_plain(y, lam, mu, sigma)
    if z > 3:
        sd3 = sd(lam, mu, sigma, 3)
        return 3 + (dec(y) - sd3) / (sd3 - sd(lam, mu, sigma, 2))
    if z < -3:
        sd3 = sd(lam, mu, sigma, -3)
        return -3 + (dec(y) - sd3) / (sd(lam, mu, sigma, -2) - sd3)
    return z
