import datetime as dt

from django.core.management.base import BaseCommand

from tumbuh.coordination import services


class Command(BaseCommand):
    help = "Email due and overdue commitments and deadlines; each reminder is sent once (safe to run often)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--days", type=int, default=services.REMINDER_DAYS)

    def handle(self, *args, today, days, **options):
        sent = services.send_reminders(today, days)
        self.stdout.write(f"{sent} reminders sent.")
