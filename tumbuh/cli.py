"""The `tumbuh` command.

`tumbuh zscore` runs the pure growth engine and needs no database. Every other word is a Django
management command (`tumbuh migrate`, `tumbuh demo`, `tumbuh serve`, `tumbuh load_regions`...);
hyphens are accepted for underscores, so `tumbuh load-regions` works too.
"""

from __future__ import annotations

import os
import sys

PURE_COMMANDS = {
    "zscore": "tumbuh.growth.cli",
    "scale": "tumbuh.scale.cli",
    "spark": "tumbuh.scale.spark_job",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        print("\nCommon commands: serve, demo, migrate, load_regions, zscore, createsuperuser")
        if not argv:
            return 0
        argv = ["help", *argv[1:]]
    command = argv[0].replace("-", "_") if argv[0] not in PURE_COMMANDS else argv[0]
    if command in PURE_COMMANDS:
        import importlib

        module = importlib.import_module(PURE_COMMANDS[command])
        return int(module.main(argv[1:]) or 0)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tumbuh", command, *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
