"""`tumbuh build_offline_tables`: rewrite static/measurements/who2006-lms.json from tumbuh/growth/data
(after a change of the WHO tables; tests/measurements/test_offline_growth.py fails until it is run)."""

from django.core.management.base import BaseCommand

from tumbuh.measurements.offline import write_tables


class Command(BaseCommand):
    help = "Write the WHO LMS tables the offline session screen computes z-scores from (static JSON)."

    def handle(self, *args, **options):
        path = write_tables()
        self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
