"""tumbuh unlock USERNAME [--ip ADDRESS]: clear the failed-login lockout (audited)."""

from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.services import unlock_logins


class Command(BaseCommand):
    help = "Unlock a username (and/or a client address) locked after too many failed logins."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--ip", dest="ip_address", help="also unlock this client address")

    def handle(self, *args, username=None, ip_address=None, **options):
        if not username and not ip_address:
            raise CommandError("give a username, --ip ADDRESS, or both")
        cleared = unlock_logins(None, username=username, ip_address=ip_address)
        self.stdout.write(f"unlocked ({cleared} failed-login counters cleared)")
