"""Target-group records for the access-test world (tumbuh.accounts.testing): for every corner's
child and household, a pregnancy, an after-birth record, an adolescent record, a catin screening,
a KRS snapshot, a TPK team and a visit, so the scoping matrix probes the target-group pages with
outsiders' records. Primary keys are fixed and disjoint from the world's (18xxx-24xxx). Stored
in `world.target_groups` (kind -> corner -> record); `world.targets` are the analytics targets."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import rules
from .models import (
    Adolescent,
    AncVisit,
    Birth,
    BreastfeedingMonth,
    CatinScreening,
    HbTest,
    KfVisit,
    KrsSnapshot,
    Postpartum,
    Pregnancy,
    TpkTeam,
    TpkVisit,
    TtdWeek,
)

PK_BASE = {"pregnancy": 18001, "postpartum": 19001, "adolescent": 20001, "catin": 21001, "krs": 22001,
           "team": 23001, "visit": 24001,
           # the records under them, so every correction page (edit/void) is probed with outsiders' rows
           "ended": 18101, "anc": 18201, "birth": 18301, "kf": 19101, "asi": 19201, "hb": 20101, "ttd": 20201}


def build_targets(world) -> dict[str, dict]:
    today = timezone.localdate()
    out: dict[str, dict] = {k: {} for k in PK_BASE}
    out["tpk_visit"] = out["visit"]  # the scoping matrix's kind name
    for i, (key, person) in enumerate(world.children.items()):
        place = {"person": person, "desa_id": person.desa_id, "posyandu_id": person.posyandu_id}
        hpht = today - dt.timedelta(weeks=20)
        out["pregnancy"][key] = Pregnancy.objects.create(pk=PK_BASE["pregnancy"] + i, hpht=hpht,
                                                         due_on=rules.due_date(hpht), kek=True, **place)
        out["postpartum"][key] = Postpartum.objects.create(pk=PK_BASE["postpartum"] + i,
                                                           delivered_on=today - dt.timedelta(days=10), **place)
        out["adolescent"][key] = Adolescent.objects.create(pk=PK_BASE["adolescent"] + i, school="SMP", **place)
        out["catin"][key] = CatinScreening.objects.create(pk=PK_BASE["catin"] + i, screened_on=today, at_risk=True,
                                                          **place)
        household = world.households[key]
        out["krs"][key] = KrsSnapshot.objects.create(pk=PK_BASE["krs"] + i, household=household,
                                                     desa_id=household.desa_id, period=rules.semester_of(today),
                                                     krs=True, target=True, wife=person)
        team = TpkTeam.objects.create(pk=PK_BASE["team"] + i, name=f"TPK {household.head_name}",
                                      desa_id=household.desa_id)
        team.assignments.create(household=household, since=today)
        out["team"][key] = team
        out["visit"][key] = TpkVisit.objects.create(pk=PK_BASE["visit"] + i, team=team, household=household,
                                                    desa_id=household.desa_id, person=person, visited_on=today,
                                                    counselling=True)
        preg, pp, teen = out["pregnancy"][key], out["postpartum"][key], out["adolescent"][key]
        out["anc"][key] = AncVisit.objects.create(pk=PK_BASE["anc"] + i, pregnancy=preg, place="posyandu",
                                                  visited_on=today - dt.timedelta(days=7), ttd_given=10)
        # The corner's sibling, born of an earlier pregnancy of the same record holder.
        sibling = world.siblings[key]
        ended = Pregnancy.objects.create(pk=PK_BASE["ended"] + i, hpht=sibling.birth_date - dt.timedelta(days=275),
                                         due_on=sibling.birth_date + dt.timedelta(days=5), outcome="live_birth",
                                         outcome_on=sibling.birth_date, **place)
        out["ended"][key] = ended
        out["birth"][key] = Birth.objects.create(pk=PK_BASE["birth"] + i, pregnancy=ended, child=sibling,
                                                 born_on=sibling.birth_date, weight_g=3100, length_cm=49.0)
        out["kf"][key] = KfVisit.objects.create(pk=PK_BASE["kf"] + i, postpartum=pp, kf_number=1,
                                                visited_on=today - dt.timedelta(days=9))
        out["asi"][key] = BreastfeedingMonth.objects.create(pk=PK_BASE["asi"] + i, postpartum=pp, month=1,
                                                            exclusive=True)
        out["hb"][key] = HbTest.objects.create(pk=PK_BASE["hb"] + i, adolescent=teen, tested_on=today, hb_gdl=12.5)
        out["ttd"][key] = TtdWeek.objects.create(pk=PK_BASE["ttd"] + i, adolescent=teen, taken=True,
                                                 week_start=today - dt.timedelta(days=today.weekday()))
    world.target_groups = out
    return out


def target_ids(world, keys) -> list[int]:
    """Pregnancy, after-birth and adolescent ids of these corners (the kwargs target pages take)."""
    t = world.target_groups
    return [t[kind][k].pk for k in keys for kind in ("pregnancy", "postpartum", "adolescent")]
