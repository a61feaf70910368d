"""Demo hook: the demo kota's stored gaps, computed once after every other module wrote its
synthetic rows (people, measurements, target groups, deliveries), and a few gaps marked not
applicable so the marks page has rows. Synthetic data only."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tumbuh.regions.models import within

from . import services
from .models import Gap, NotApplicable

REASONS = [NotApplicable.Reason.REFUSED, NotApplicable.Reason.MOVED, NotApplicable.Reason.COVERED]


def create_convergence_demo(region_code: str, *, seed: int = 42, today: dt.date | None = None) -> dict[str, int]:
    services.refresh_region(region_code)
    rng = np.random.default_rng(seed)
    gaps = list(Gap.objects.filter(within("desa_id", region_code)).order_by("pk")[:20000])
    picked = [gaps[int(i)] for i in rng.choice(len(gaps), min(len(gaps), max(1, len(gaps) // 100)), replace=False)] \
        if gaps else []
    NotApplicable.objects.bulk_create([NotApplicable(
        subject=g.subject, person_id=g.person_id, household_id=g.household_id, desa_id=g.desa_id,
        posyandu_id=g.posyandu_id, rule_id=g.rule_id, item_code=g.item_code, agency_code=g.agency_code,
        since=g.since, reason=REASONS[i % 3], note="Data demo") for i, g in enumerate(picked)])
    if picked:
        Gap.objects.filter(pk__in=[g.pk for g in picked]).delete()
        services.refresh_subjects([g.person_id for g in picked if g.person_id],
                                  [g.household_id for g in picked if g.household_id])
    return {"gaps": Gap.objects.filter(within("desa_id", region_code)).count(), "not applicable": len(picked)}
