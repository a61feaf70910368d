"""Scoped reads the API needs beyond each context's own selectors. Everything starts from a Scope
and the contexts' base selectors (people_for, measurements_for, posyandu_for, ...)."""

from __future__ import annotations

import datetime as dt

from tumbuh.accounts.scoping import Scope
from tumbuh.measurements.derivation import LYING_UNTIL_DAYS
from tumbuh.measurements.selectors import balita_at, measurements_for


def roster(scope: Scope, posyandu, on: dt.date) -> list[dict]:
    """The posyandu session's children (active, under five on `on`, registered at the posyandu)
    with their last measurement before `on` and the one on `on`, if any. Three queries."""
    children = list(balita_at(scope, posyandu, on).only("id", "name", "sex", "birth_date"))
    ids = [c.pk for c in children]
    fields = ("id", "child_id", "measured_on", "weight_kg", "length_cm", "position", "arm_circumference_cm",
              "oedema", "source", "created_at")
    scoped = measurements_for(scope).filter(child_id__in=ids)
    last: dict[int, object] = {}
    for m in scoped.filter(measured_on__lt=on).order_by("child_id", "-measured_on").only(*fields):
        last.setdefault(m.child_id, m)
    today = {m.child_id: m for m in scoped.filter(measured_on=on).only(*fields)}
    out = []
    for c in children:
        previous = last.get(c.pk)
        out.append({
            "id": c.pk, "name": c.name, "sex": c.sex, "birth_date": c.birth_date,
            "default_measured_lying": (on - c.birth_date).days < LYING_UNTIL_DAYS,
            "last_measurement": None if previous is None else {
                "id": previous.pk, "date": previous.measured_on, "weight_kg": previous.weight_kg,
                "height_cm": previous.length_cm, "measured_lying": {"l": True, "h": False}.get(previous.position),
                "lila_cm": previous.arm_circumference_cm},
            "today": today.get(c.pk),
        })
    return out
