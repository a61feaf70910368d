"""`tumbuh import SOURCE FILE --region CODE [--user NAME]`: import a file of one of the declared
sources (eppgbm, deliveries, krs, catin, bumil; see docs/imports.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from tumbuh.accounts.models import Role
from tumbuh.imports.framework import ImportFailed, ImportRefused, estimate_rows, run_import, sources


class Command(BaseCommand):
    help = ("Import data from another system. Sources: eppgbm (Kemenkes by-name export), deliveries "
            "(intervention delivery lists), krs (BKKBN KRS by-name list), catin (Elsimil screening "
            "export), bumil (pregnancy register / kohort ibu).")

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sources())
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", required=True, help="Kemendagri code the file belongs to, e.g. 64.74")
        parser.add_argument("--user", help="Whose import this is (audit, scope); default: the first administrator")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = self._user(options["user"])
        bar = None
        if not options["no_progress"]:
            bar = tqdm(total=estimate_rows(path), unit=" rows", desc=path.name, file=self.stderr._out)
        try:
            batch = run_import(options["source"], path, user=user, region_code=options["region"],
                               progress=bar.update if bar else None)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as exc:
            raise CommandError(f"Nothing imported (batch {exc.batch.pk}): {exc}") from exc
        finally:
            if bar:
                bar.close()
        created = (f"{batch.people_created} children created, " if batch.source == "eppgbm"
                   else f"{batch.people_created} people created, ")
        self.stdout.write(
            f"batch {batch.pk}: {batch.total_rows} rows + {batch.blank_rows} blank -> "
            f"{batch.imported} imported, {batch.merged} merged, {batch.unchanged} unchanged, "
            f"{batch.rejected} rejected"
            f"{f', {batch.held} held for review' if batch.held else ''}; {created}"
            f"{batch.review_count} to review; {batch.seconds:.1f} s "
            f"({batch.total_rows / max(batch.seconds, 1e-9):,.0f} rows/s)"
        )
        for warning in batch.warnings:
            self.stdout.write(f"  warning: {warning}")
        for item in batch.zscore_summary.get("indicators", []):
            self.stdout.write(
                f"  z {item['label']}: {item['compared']} compared, {item['differ']} differ by > "
                f"{batch.zscore_summary['tolerance']}, max {item['max_abs']}, mean {item['mean_abs']}"
            )
        places = batch.unknown_places
        for name, rows in places.get("desa", {}).items():
            self.stdout.write(f"  unknown desa: {name} ({rows} rows)")
        for name in places.get("posyandu_created", []):
            self.stdout.write(f"  posyandu created: {name}")
        if batch.rejected and batch.source != "eppgbm":
            for row in batch.rows.filter(outcome="rejected").order_by("row_number")[:10]:
                self.stdout.write(f"  row {row.row_number} rejected: {'; '.join(row.reasons)}")

    def _user(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"no active user {username!r}")
            return user
        user = users.filter(Q(is_superuser=True) | Q(role=Role.ADMIN)).order_by("pk").first()
        if user is None:
            raise CommandError("no administrator exists; pass --user USERNAME")
        return user
