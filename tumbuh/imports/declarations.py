"""Every import source Tumbuh ships, registered with the framework (`framework.register`)."""

from . import services  # noqa: F401  (EPPGBM)
