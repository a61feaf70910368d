from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _before_person_save(sender, instance, raw=False, **kwargs):
    # Where the person was: a member who leaves a household re-derives the household left behind.
    instance._targets_before = (
        sender.objects.filter(pk=instance.pk).values_list("household_id", "desa_id", "posyandu_id").first()
        if instance.pk and not raw else None
    )


def _after_person_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .services import follow_person

    follow_person(instance, getattr(instance, "_targets_before", None))


def _after_person_delete(sender, instance, **kwargs):
    from .services import rederive_households

    rederive_households([instance.household_id])


class TargetsConfig(AppConfig):
    name = "tumbuh.targets"
    verbose_name = _("Target groups")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from tumbuh.registry.models import Person

        pre_save.connect(_before_person_save, sender=Person, dispatch_uid="targets_person_before")
        post_save.connect(_after_person_save, sender=Person, dispatch_uid="targets_person_after")
        post_delete.connect(_after_person_delete, sender=Person, dispatch_uid="targets_person_deleted")
