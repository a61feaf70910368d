"""Deployment checks (`tumbuh check --deploy`): the published default key and a demo-mode
instance are errors in production, so a misconfigured server refuses to look ready."""

from django.conf import settings
from django.core.checks import Error, Tags, register


def production_problems() -> list[Error]:
    problems = []
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        problems.append(Error(
            "TUMBUH_SECRET_KEY is not set: the key in use is published with the source code.",
            hint="Set TUMBUH_SECRET_KEY to a long random value (see docs/operations.md), or "
                 "TUMBUH_DEMO=1 for a demo instance.",
            id="tumbuh.E001",
        ))
    return problems


@register(Tags.security, deploy=True)
def check_production_settings(app_configs=None, **kwargs):
    problems = production_problems()
    if settings.DEMO_MODE:
        problems.append(Error(
            "TUMBUH_DEMO is on: demo accounts with a published password are announced as fine.",
            hint="Unset TUMBUH_DEMO in production.", id="tumbuh.E002",
        ))
    return problems
