"""Every import source Tumbuh ships, registered with the framework (`framework.register`)."""

from . import deliveries, services, targets  # noqa: F401  (EPPGBM is declared in services)
