"""tumbuh prune_audit [--dry-run]: delete audit events older than the retention period
(TUMBUH_AUDIT_RETENTION_DAYS, default 1825 = 5 years; 0 keeps everything). Run it from cron;
nothing is deleted otherwise. The pruning itself is recorded."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record


class Command(BaseCommand):
    help = "Delete audit events older than TUMBUH_AUDIT_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if days <= 0:
            self.stdout.write("retention is 0: audit events are kept forever")
            return
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        count = old.count()
        if dry_run:
            self.stdout.write(f"{count} audit events older than {days} days would be deleted")
            return
        old.delete()
        record(None, AuditEvent.Action.DELETE, object_type="audit.auditevent", username="tumbuh prune_audit",
               summary=f"{count} audit events older than {days} days deleted",
               detail={"before": cutoff.isoformat(), "deleted": count})
        self.stdout.write(f"{count} audit events older than {days} days deleted")
