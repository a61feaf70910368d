"""Serve the application with waitress (pure Python, production-capable, no build step)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tumbuh over HTTP with waitress."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--workers", type=int, default=1,
            help="worker processes sharing the port (PostgreSQL: about one per core; SQLite: 1)",
        )
        parser.add_argument("--no-task-worker", action="store_true",
                            help="do not run queued background tasks in this process (run `tumbuh worker`)")

    def handle(self, *args, host, port, threads, workers=1, no_task_worker=False, **options):
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
        if not no_task_worker and workers <= 1:
            from tumbuh.imports.worker import start_in_process

            if start_in_process():  # background imports and reports, one thread (docs/operations.md)
                self.stdout.write("background tasks: run in this process")
        if workers <= 1:
            serve(application, host=host, port=port, threads=threads)
            return
        self.serve_workers(application, host, port, threads, workers)

    def serve_workers(self, application, host, port, threads, workers):
        """One listening socket, bound before forking; each worker process runs waitress on it
        and the kernel spreads connections between them (Python runs one core per process)."""
        import os
        import signal
        import socket

        from django.db import connections
        from waitress import serve

        connections.close_all()  # no database connection may cross a fork
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        children = []
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                try:
                    serve(application, sockets=[sock], threads=threads)
                finally:
                    os._exit(0)
            children.append(pid)

        def stop(signum, frame):
            for pid in children:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"{workers} worker processes x {threads} threads")
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
