"""Serve the application with waitress (pure Python, production-capable, no build step)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tumbuh over HTTP with waitress."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from django.conf import settings
        from django.core.management.base import CommandError
        from waitress import serve

        from tumbuh.accounts.checks import production_problems

        if not settings.DEMO_MODE:
            problems = production_problems()
            if problems:
                raise CommandError(
                    "refusing to serve: " + " ".join(f"{p.msg} {p.hint}" for p in problems)
                )

        from tumbuh.wsgi import application

        self.stdout.write(f"Tumbuh on http://{host}:{port}/  (Ctrl+C to stop)")
        serve(application, host=host, port=port, threads=threads)
