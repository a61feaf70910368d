"""Every import source Tumbuh ships, registered with the framework (`framework.register`)."""

from . import deliveries, services  # noqa: F401  (EPPGBM is declared in services)
