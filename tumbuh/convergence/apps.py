from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _people(sender, child_ids=None, desa_codes=None, region_code=None, **kwargs):
    """measurements_changed / people_changed: the people named, or the region recomputed."""
    from .services import refresh_many, refresh_region

    if child_ids:
        refresh_many(child_ids)
    elif region_code is not None:
        refresh_region(region_code)
    elif desa_codes:
        for code in set(desa_codes):
            refresh_region(code)


def _deliveries(sender, person_ids=None, household_ids=None, desa_codes=None, **kwargs):
    from .services import BULK_PEOPLE, refresh_region, refresh_subjects

    if len(person_ids or ()) + len(household_ids or ()) > BULK_PEOPLE and desa_codes:
        from tumbuh.accounts.scoping import common_region

        refresh_region(common_region(sorted(set(desa_codes))))  # a bulk write (import, demo): one pass
    elif person_ids or household_ids:
        refresh_subjects(person_ids=person_ids or (), household_ids=household_ids or ())
    elif desa_codes:
        for code in set(desa_codes):
            refresh_region(code)


# tumbuh.targets sends no signal of its own (its services write and audit, then return), so the
# target-group records are followed through Django's post_save/post_delete: each names its person
# (pregnancy, catin, adolescent), its pregnancy/adolescent (ANC visit, TTD week), or its household
# (KRS snapshot, TPK visit). They fire inside the targets services' transactions, so the gaps are
# fresh when the write commits and roll back with it.
def _target_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from django.core.exceptions import ObjectDoesNotExist

    from .services import refresh_subjects

    person_id = getattr(instance, "person_id", None)
    household_id = None
    try:
        if sender.__name__ == "AncVisit":
            person_id = instance.pregnancy.person_id
        elif sender.__name__ == "TtdWeek":
            person_id = instance.adolescent.person_id
        elif sender.__name__ in ("KrsSnapshot", "TpkVisit"):
            household_id, person_id = instance.household_id, None
    except ObjectDoesNotExist:  # deleted with its parent (a cascade): the parent's own signal refreshes
        return
    refresh_subjects(person_ids=[person_id] if person_id else [], household_ids=[household_id] if household_id else [])


TARGET_MODELS = ("Pregnancy", "AncVisit", "CatinScreening", "Adolescent", "TtdWeek", "KrsSnapshot", "TpkVisit")


class ConvergenceConfig(AppConfig):
    name = "tumbuh.convergence"
    verbose_name = _("Convergence")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tumbuh.interventions.signals import deliveries_changed
        from tumbuh.measurements.signals import measurements_changed
        from tumbuh.registry.signals import people_changed
        from tumbuh.targets import models as targets

        measurements_changed.connect(_people, dispatch_uid="convergence_measurements")
        people_changed.connect(_people, dispatch_uid="convergence_people")
        deliveries_changed.connect(_deliveries, dispatch_uid="convergence_deliveries")
        for name in TARGET_MODELS:
            model = getattr(targets, name)
            post_save.connect(_target_saved, sender=model, dispatch_uid=f"convergence_{name}_saved")
            post_delete.connect(_target_saved, sender=model, dispatch_uid=f"convergence_{name}_deleted")
