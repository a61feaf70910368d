"""Tumbuh's growth engine: WHO z-scores, Permenkes 2/2020 categories, weight-gain status.

Pure numpy/pandas (no Django). Main entry points:

* ``anthro_zscores(frame)``: WHO 2006 Child Growth Standards, 0-5 years (as WHO's R ``anthro``);
* ``anthroplus_zscores(frame)``: WHO 2007 Growth Reference, 5-19 years (as ``anthroplus``);
* ``anthro_zscore_row(**fields)``: one child, as a dict;
* ``value_for_z(indicator, sex, x, z)`` / ``z_for_value``: LMS curves for charts;
* ``categories``: Permenkes 2/2020 status codes and labels;
* ``weight_gain``: N / T / 2T / O / B and the red line (BGM).

See docs/growth.md.
"""

from . import categories, weight_gain
from .curves import value_for_z, z_for_value
from .who2006 import anthro_zscore_row, anthro_zscores
from .who2007 import anthroplus_zscores

__all__ = [
    "anthro_zscore_row",
    "anthro_zscores",
    "anthroplus_zscores",
    "categories",
    "value_for_z",
    "weight_gain",
    "z_for_value",
]
