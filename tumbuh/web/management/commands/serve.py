"""Serve the application with waitress (pure Python, production-capable, no build step)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tumbuh over HTTP with waitress."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from tumbuh.wsgi import application

        self.stdout.write(f"Tumbuh on http://{host}:{port}/  (Ctrl+C to stop)")
        serve(application, host=host, port=port, threads=threads)
