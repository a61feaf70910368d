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


def _record_changed(sender, instance, raw=False, **kwargs):
    """A counted record saved or deleted: rebuild its desa's summary cells, in the writer's
    transaction (targets/summary.py)."""
    if raw:
        return
    from .summary import desas_of, refresh_target_summaries

    desas = desas_of(instance)
    if desas:
        refresh_target_summaries(desa_codes=desas)


def _people_changed(sender, child_ids=None, desa_codes=None, region_code=None, **kwargs):
    """People merged, moved or deleted in bulk (registry imports, merges, the demo): the records
    that follow them change desa, so their desa's cells are rebuilt."""
    from tumbuh.registry.models import Person

    from .summary import refresh_target_summaries

    if child_ids is None and desa_codes is None and region_code is None:
        return
    desas = {d for d in desa_codes or () if d}
    ids = sorted({int(c) for c in child_ids or ()})
    for i in range(0, len(ids), 900):
        desas.update(Person.objects.filter(pk__in=ids[i:i + 900]).values_list("desa_id", flat=True).distinct())
    if region_code == "":
        refresh_target_summaries()  # everything
    elif desas or region_code:
        refresh_target_summaries(desa_codes=desas, region_code=region_code)


class TargetsConfig(AppConfig):
    name = "tumbuh.targets"
    verbose_name = _("Target groups")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from tumbuh.registry.models import Person

        pre_save.connect(_before_person_save, sender=Person, dispatch_uid="targets_person_before")
        post_save.connect(_after_person_save, sender=Person, dispatch_uid="targets_person_after")
        post_delete.connect(_after_person_delete, sender=Person, dispatch_uid="targets_person_deleted")

        # The summary cells (summary.py): every record holding a counted column, and bulk moves.
        from tumbuh.registry.signals import people_changed

        from .models import (
            Adolescent,
            Birth,
            CatinScreening,
            KrsSnapshot,
            Postpartum,
            Pregnancy,
            TpkVisit,
        )

        for model in (CatinScreening, Pregnancy, Birth, Postpartum, Adolescent, KrsSnapshot, TpkVisit):
            post_save.connect(_record_changed, sender=model, dispatch_uid=f"targets_summary_save_{model.__name__}")
            post_delete.connect(_record_changed, sender=model, dispatch_uid=f"targets_summary_del_{model.__name__}")
        people_changed.connect(_people_changed, dispatch_uid="targets_summary_people")
