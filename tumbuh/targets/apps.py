from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _people_changed(sender, child_ids=None, **kwargs):
    from .services import follow_people

    follow_people(child_ids)


class TargetsConfig(AppConfig):
    name = "tumbuh.targets"
    verbose_name = _("Target groups")

    def ready(self):
        from tumbuh.registry.signals import people_changed

        people_changed.connect(_people_changed, dispatch_uid="targets_follow_people")
