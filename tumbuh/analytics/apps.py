from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tumbuh.analytics"

    def ready(self):
        from tumbuh.measurements.signals import measurements_changed
        from tumbuh.registry.signals import people_changed

        measurements_changed.connect(_refresh, dispatch_uid="analytics_summary_measurements")
        people_changed.connect(_refresh, dispatch_uid="analytics_summary_people")

        # The data version behind memoized pages (memo.py): every data write raises it.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from tumbuh.interventions.signals import deliveries_changed

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_bump_on_save, dispatch_uid=f"analytics_memo_{id(signal)}")
        for signal in (measurements_changed, people_changed, deliveries_changed):
            signal.connect(_bump, dispatch_uid=f"analytics_memo_bulk_{id(signal)}")


def _refresh(sender, child_ids=None, desa_codes=None, region_code=None, **kwargs):
    """Rebuild the summary cells a write touched, in the writer's transaction (so the next
    request sees it, and a rollback takes the cells back too)."""
    from .summary import refresh_summaries

    if child_ids is None and desa_codes is None and region_code is None:
        return  # a sender that names nothing changed nothing we can locate; never rebuild all by accident
    refresh_summaries(child_ids=child_ids, desa_codes=desa_codes, region_code=region_code)


def _bump_on_save(sender, **kwargs):
    from .memo import bump, counts_as_data

    if counts_as_data(sender):
        bump()


def _bump(sender=None, **kwargs):
    from .memo import bump

    bump()
