"""tumbuh create_user USERNAME --role kabupaten --region 64.74 [--posyandu ID] [--puskesmas CODE]"""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tumbuh.accounts.models import Role, User
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.models import Posyandu, Puskesmas, Region


class Command(BaseCommand):
    help = "Create a user with a role and the region, posyandu or puskesmas the role is scoped to."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", help="Kemendagri code, e.g. 64.74 (desa/kecamatan/kabupaten/provinsi roles)")
        parser.add_argument("--posyandu", type=int, help="posyandu id (cadre role)")
        parser.add_argument("--puskesmas", help="puskesmas code (puskesmas role)")
        parser.add_argument("--password", help="omit to be prompted; --no-password for an unusable one")
        parser.add_argument("--no-password", action="store_true", help="create with an unusable password")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, **opts):
        username = opts["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        user = User(
            username=username, role=opts["role"], first_name=opts["first_name"],
            last_name=opts["last_name"], email=opts["email"],
        )
        if opts["role"] == Role.ADMIN:
            # Tumbuh's administrator also administers the Django admin site.
            user.is_staff = user.is_superuser = True
        if opts["region"]:
            user.region = self._get(Region, "region", code=opts["region"])
        if opts["posyandu"] is not None:
            user.posyandu = self._get(Posyandu, "posyandu", pk=opts["posyandu"])
        if opts["puskesmas"]:
            user.puskesmas = self._get(Puskesmas, "puskesmas", code=opts["puskesmas"])

        password = opts["password"]
        if password is None and not opts["no_password"]:
            if not self.stdin_is_tty():
                raise CommandError("give --password or --no-password when not run interactively")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("passwords do not match")
        try:
            user.full_clean(exclude=["password"])
            if password is not None:
                validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(self._describe(exc)) from exc
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        with transaction.atomic():
            user.save()
            record(
                None, AuditEvent.Action.CREATE, obj=user, region_code=_scope(user),
                summary=f"create_user {username} ({user.role})", username="(command line)",
            )
        self.stdout.write(self.style.SUCCESS(f"created {username}: {user.get_role_display()}, scope {user.scope_label}"))

    @staticmethod
    def stdin_is_tty() -> bool:
        import sys

        return sys.stdin.isatty()

    @staticmethod
    def _get(model, label, **lookup):
        try:
            return model.objects.get(**lookup)
        except model.DoesNotExist as exc:
            value = next(iter(lookup.values()))
            raise CommandError(f"no {label} {value!r}; load regions/posyandu first") from exc

    @staticmethod
    def _describe(exc: ValidationError) -> str:
        if hasattr(exc, "message_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)


def _scope(user) -> str:
    from tumbuh.accounts.scoping import scope_region_code

    return scope_region_code(user) or ""
