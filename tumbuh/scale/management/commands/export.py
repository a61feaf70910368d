"""`tumbuh export parquet --region CODE --out DIR [--with-names] [--updated-since DATE]`."""

from __future__ import annotations

import datetime as dt
import getpass

from django.core.management.base import BaseCommand, CommandError

from tumbuh.scale.export import export_parquet


class Command(BaseCommand):
    help = "Export data for the national-scale path (docs/scale.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="format", required=True)
        p = sub.add_parser("parquet", help="measurements, people, households, target groups and "
                           "deliveries as hive-partitioned Parquet (province/kabkota/period)")
        p.add_argument("--region", required=True, help="Kemendagri code (e.g. 64 or 64.74); '' for all")
        p.add_argument("--out", required=True, help="output directory")
        p.add_argument("--with-names", action="store_true",
                       help="include NIK, names, KK numbers, addresses and free text (audited)")
        p.add_argument("--updated-since", type=dt.date.fromisoformat, default=None,
                       help="only rows changed on or after this date (YYYY-MM-DD)")
        p.add_argument("--user", default="", help="the account the audit log names (default: the OS user)")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no such user: {options['user']}")
        try:
            result = export_parquet(options["region"], options["out"], with_names=options["with_names"],
                                    updated_since=options["updated_since"], user=user,
                                    username=f"cli:{getpass.getuser()}")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, rows in result.rows.items():
            self.stdout.write(f"{name}: {rows:,} rows")
        self.stdout.write(f"{result.files} files in {result.out}")
