"""`tumbuh worker`: run queued background tasks (web imports, report rendering). The same as
django-tasks-db's `tumbuh db_worker` (its options are passed through)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run queued background tasks (django-tasks database backend); options as db_worker."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, batch=False, interval=1.0, **options):
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--interval", str(interval), *extra)
