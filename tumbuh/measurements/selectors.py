"""Reads for the measurement screens, always starting from the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from tumbuh.accounts.scoping import Scope, as_scope
from tumbuh.regions.models import Posyandu
from tumbuh.registry.selectors import people_for

from .derivation import LYING_UNTIL_DAYS, age_in_months
from .models import Absence, Measurement
from .validation import MAX_AGE_DAYS


def measurements_for(scope: Scope):
    """Measurements the scope may see, through their child: a measurement follows its child's
    current scope (a user is accepted too)."""
    return Measurement.objects.filter(as_scope(scope).person_q(prefix="child__"))


@dataclass
class SessionRow:
    child: object
    age_months: int
    default_position: str
    previous: Measurement | None = None  # last measurement before the session date
    current: Measurement | None = None  # the one on the session date, if already entered
    form: object = None  # a bound form when the row is shown with errors
    warnings: list[str] = field(default_factory=list)
    saved: bool = False
    absent: bool = False  # marked "tidak hadir" for the session date
    confirm: list[str] = field(default_factory=list)  # warnings the cadre must confirm to save
    # The child's most recent earlier weight and adjusted length/height, each with its date: what
    # the series warnings compare with (the offline screen derives them in the browser).
    previous_weight: tuple[float, dt.date] | None = None
    previous_length: tuple[float, dt.date] | None = None


def balita_at(user, posyandu: Posyandu, on: dt.date):
    """Active children registered at `posyandu`, under five on `on` and born by then."""
    earliest = on - dt.timedelta(days=MAX_AGE_DAYS - 1)
    return people_for(user).filter(
        posyandu=posyandu, active=True, birth_date__lte=on, birth_date__gte=earliest
    ).order_by("name", "birth_date", "pk")


def make_row(child, on: dt.date) -> SessionRow:
    age_days = (on - child.birth_date).days
    return SessionRow(child=child, age_months=age_in_months(child.birth_date, on),
                      default_position="l" if age_days < LYING_UNTIL_DAYS else "h")


def session_rows(user, posyandu: Posyandu, on: dt.date) -> list[SessionRow]:
    children = list(balita_at(user, posyandu, on).only("id", "name", "sex", "birth_date"))
    rows = {c.pk: make_row(c, on) for c in children}
    if not rows:
        return []
    scoped = measurements_for(user).filter(child_id__in=list(rows))
    for m in scoped.filter(measured_on=on):
        rows[m.child_id].current = m
    for child_id in Absence.objects.filter(child_id__in=list(rows), on=on).values_list("child_id", flat=True):
        rows[child_id].absent = True
    # Newest first per child; the first seen is the one to show. One query for the whole posyandu.
    earlier = scoped.filter(measured_on__lt=on).order_by("child_id", "-measured_on").only(
        "id", "child_id", "measured_on", "weight_kg", "length_cm", "length_adjusted_cm")
    for m in earlier:
        row = rows[m.child_id]
        if row.previous is None:
            row.previous = m
        if row.previous_weight is None and m.weight_kg is not None:
            row.previous_weight = (m.weight_kg, m.measured_on)
        if row.previous_length is None and m.length_adjusted_cm is not None:
            row.previous_length = (m.length_adjusted_cm, m.measured_on)
    return list(rows.values())


def session_row(user, posyandu: Posyandu, child, on: dt.date) -> SessionRow:
    row = make_row(child, on)
    scoped = measurements_for(user).filter(child_id=child.pk)
    row.current = scoped.filter(measured_on=on).first()
    row.previous = scoped.filter(measured_on__lt=on).order_by("-measured_on").first()
    row.absent = Absence.objects.filter(child_id=child.pk, on=on).exists()
    return row


def measured_count(user, posyandu: Posyandu, on: dt.date) -> tuple[int, int]:
    """(children measured on `on`, children expected) for the session progress counter."""
    children = balita_at(user, posyandu, on)
    measured = measurements_for(user).filter(child__in=children, measured_on=on).count()
    return measured, children.count()


def absent_count(user, posyandu: Posyandu, on: dt.date) -> int:
    return Absence.objects.filter(child__in=balita_at(user, posyandu, on), on=on).count()


def balita_counts(user, posyandu_ids) -> dict[int, int]:
    today = timezone.localdate()
    earliest = today - dt.timedelta(days=MAX_AGE_DAYS - 1)
    qs = people_for(user).filter(posyandu_id__in=posyandu_ids, active=True, birth_date__gte=earliest)
    return dict(qs.values_list("posyandu_id").annotate(n=Count("pk", distinct=True)).order_by())


def child_history(user, child, limit: int = 24):
    return measurements_for(user).filter(child_id=child.pk).order_by("-measured_on")[:limit]
