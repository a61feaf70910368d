from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tumbuh.accounts"
    verbose_name = _("Users and access")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (deploy checks; the login audit receivers)
