"""Synthetic target-group data for the demo (called by tumbuh.demo.services.create_demo after the
families, mothers and children exist). Everything is generated; shares are set to plausible
values for a kota (KEK ~15%, anaemia in pregnancy ~30%, catin red ~25%, adolescent anaemia ~25%,
unsafe water ~10%, unsafe latrine ~20%, TPK visit this month ~60% of KRS families).

Bulk writes only (no per-row signals); the KRS verdicts are derived with the same
`services.rederive` the write services use, so the demo shows what the rules give."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from tumbuh.demo import names as demo_names
from tumbuh.regions.models import Posyandu, within
from tumbuh.registry.models import Household, Person

from . import rules, services
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
    TpkAssignment,
    TpkTeam,
    TpkVisit,
    TtdWeek,
)

BATCH = 2000
WATER = ["pam", "isi_ulang", "sumur_bor", "sumur_terlindungi", "kemasan", "sumur_tak_terlindungi", "sungai", "hujan"]
WATER_P = [0.38, 0.25, 0.15, 0.08, 0.04, 0.05, 0.03, 0.02]
LATRINE = ["own_septic", "own_no_septic", "shared", "none"]
LATRINE_P = [0.80, 0.11, 0.06, 0.03]
KB = ["", "injection", "implant", "iud", "pill", "mal", "refused"]
KB_P = [0.25, 0.30, 0.15, 0.10, 0.08, 0.05, 0.07]


def _name(rng, pool, words=2) -> str:
    return " ".join(rng.choice(pool) for _ in range(words))


def _anc_dates(rng, hpht: dt.date, end: dt.date, complete: bool) -> list[dt.date]:
    weeks = [6, 10, 18, 28, 33, 37] if complete else sorted(rng.choice([8, 12, 16, 22, 27, 31, 35], size=rng.integers(1, 5), replace=False))
    out = []
    for w in weeks:
        d = hpht + dt.timedelta(weeks=int(w), days=int(rng.integers(0, 6)))
        if d <= end:
            out.append(d)
    return out


def create_target_demo(region_code: str, *, seed: int = 42, today: dt.date | None = None) -> dict[str, int]:
    rng = np.random.default_rng(seed + 9)
    today = today or dt.date.today()
    version = rules.version()
    counts: dict[str, int] = {}
    TpkTeam.objects.filter(within("desa_id", region_code), name__startswith="TPK ").delete()

    posyandu_by_desa: dict[str, list[int]] = defaultdict(list)
    for pk, desa in Posyandu.objects.filter(within("desa_id", region_code)).values_list("pk", "desa_id"):
        posyandu_by_desa[desa].append(pk)
    households = list(Household.objects.filter(within("desa_id", region_code)).values_list("pk", "desa_id"))
    people = list(Person.objects.filter(within("desa_id", region_code)).values_list(
        "pk", "sex", "birth_date", "mother_id", "household_id", "desa_id", "posyandu_id", "birth_weight_kg",
        "birth_length_cm", "jkn_status", "jkn_checked_on"))
    mothers = {p[0]: p for p in people if p[3] is None and p[1] == "F"}
    children_of: dict[int, list[tuple]] = defaultdict(list)
    for p in people:
        if p[3]:
            children_of[p[3]].append(p)

    # 1. Births in the last 12 months -> pregnancies ended in a live birth, linked to the demo child.
    pregnancies, births, visits_for = [], [], []
    recent = [c for kids in children_of.values() for c in kids if 0 <= (today - c[2]).days <= 365]
    for c in recent:
        mother = mothers.get(c[3])
        if mother is None:
            continue
        hpht = c[2] - dt.timedelta(days=int(rng.normal(273, 9)))
        older = [k[2] for k in children_of[mother[0]] if k[2] < c[2]]
        preg = Pregnancy(person_id=mother[0], desa_id=mother[5], posyandu_id=mother[6], household_id=mother[4],
                         hpht=hpht, due_on=rules.due_date(hpht), gravida=len(older) + 1, para=len(older),
                         last_birth_on=max(older) if older else None, lila_cm=round(float(rng.normal(25.6, 2.3)), 1),
                         hb_gdl=round(float(rng.normal(11.7, 1.1)), 1), outcome="live_birth", outcome_on=c[2],
                         rule_version=version)
        pregnancies.append((preg, mother, c))
    # 2. Ongoing pregnancies: ~4% of mothers whose youngest child is over 15 months old.
    for m in mothers.values():
        kids = children_of.get(m[0], [])
        if not kids or (today - max(k[2] for k in kids)).days < 460 or rng.random() > 0.06:
            continue
        age = rules.age_years(m[2], today)
        if not 16 <= age <= 44:
            continue
        hpht = today - dt.timedelta(days=int(rng.integers(30, 270)))
        preg = Pregnancy(person_id=m[0], desa_id=m[5], posyandu_id=m[6], household_id=m[4], hpht=hpht,
                         due_on=rules.due_date(hpht), gravida=len(kids) + 1, para=len(kids),
                         last_birth_on=max(k[2] for k in kids), lila_cm=round(float(rng.normal(25.6, 2.3)), 1),
                         hb_gdl=round(float(rng.normal(11.6, 1.2)), 1), rule_version=version)
        pregnancies.append((preg, m, None))
    for preg, mother, _child in pregnancies:
        end = preg.outcome_on or today
        complete = rng.random() < 0.72
        dates = _anc_dates(rng, preg.hpht, end, complete)
        visits = [AncVisit(visited_on=d, place=str(rng.choice(["posyandu", "puskesmas", "bidan", "pustu"])),
                           gestational_weeks=rules.gestational_weeks(preg.hpht, d),
                           trimester=rules.trimester(rules.gestational_weeks(preg.hpht, d)),
                           weight_kg=round(float(rng.normal(58, 8)), 1), hb_gdl=preg.hb_gdl if i == 0 else None,
                           ttd_given=int(rng.choice([0, 15, 30, 30])) if i else 30) for i, d in enumerate(dates)]
        preg.mother_age = rules.age_years(mother[2], preg.hpht)
        preg.kek, preg.anaemia = rules.is_kek(preg.lila_cm), rules.is_anaemic_pregnant(preg.hb_gdl)
        preg.four_t = list(rules.four_t(mother_age=preg.mother_age, last_birth=preg.last_birth_on, hpht=preg.hpht,
                                        previous_children=preg.para))
        summary = rules.anc_summary(preg.hpht, dates)
        preg.anc_contacts, preg.k6 = summary.contacts, summary.k6
        preg.ttd_total = sum(v.ttd_given for v in visits)
        preg.weight_before_kg = visits[0].weight_kg if visits else None
        preg.latest_weight_kg = round(visits[-1].weight_kg + 0.35 * (len(visits) - 1), 1) if visits else None
        if visits:
            visits[-1].weight_kg = preg.latest_weight_kg
        preg.high_risk = bool(preg.kek or preg.anaemia or preg.four_t)
        visits_for.append(visits)
    Pregnancy.objects.bulk_create([p for p, _m, _c in pregnancies], batch_size=BATCH)
    for (preg, _m, _c), visits in zip(pregnancies, visits_for, strict=True):
        for v in visits:
            v.pregnancy_id = preg.pk
    AncVisit.objects.bulk_create([v for vs in visits_for for v in vs], batch_size=BATCH)
    for preg, _mother, child in pregnancies:
        if child is not None:
            grams = int(round(child[7] * 1000)) if child[7] else None
            births.append(Birth(pregnancy_id=preg.pk, child_id=child[0], born_on=child[2], weight_g=grams,
                                length_cm=child[8], bblr=rules.is_bblr(grams), short=rules.is_short_at_birth(child[8]),
                                rule_version=version))
    Birth.objects.bulk_create(births, batch_size=BATCH)
    counts["pregnancies"] = len(pregnancies)
    counts["births linked"] = len(births)

    # 3. Mothers after birth (those births), with KF visits, KB and exclusive breastfeeding months.
    pps, kf, bf = [], [], []
    for preg, mother, child in pregnancies:
        if child is None:
            continue
        pps.append(Postpartum(person_id=mother[0], desa_id=mother[5], posyandu_id=mother[6], pregnancy_id=preg.pk,
                              delivered_on=child[2], kb_method=str(rng.choice(KB, p=KB_P)), rule_version=version))
    child_of_pp = [c for _p, _m, c in pregnancies if c is not None]
    kf_dates = []
    for pp in pps:
        dates = []
        for low, high, p in ((0, 2, 0.9), (3, 7, 0.75), (8, 28, 0.6), (29, 42, 0.5)):
            d = pp.delivered_on + dt.timedelta(days=int(rng.integers(low, high + 1)))
            if d <= today and rng.random() < p:
                dates.append(d)
        pp.kf_count = len({rules.kf_number(pp.delivered_on, d) for d in dates})
        kf_dates.append(dates)
    Postpartum.objects.bulk_create(pps, batch_size=BATCH)
    for pp, child, dates in zip(pps, child_of_pp, kf_dates, strict=True):
        kf += [KfVisit(postpartum_id=pp.pk, visited_on=d, kf_number=rules.kf_number(pp.delivered_on, d)) for d in dates]
        exclusive = True
        for month in range(1, 7):
            if rules.age_months(pp.delivered_on, today) < month:
                break
            exclusive = exclusive and rng.random() < 0.93
            bf.append(BreastfeedingMonth(postpartum_id=pp.pk, child_id=child[0], month=month, exclusive=exclusive))
    KfVisit.objects.bulk_create(kf, batch_size=BATCH)
    BreastfeedingMonth.objects.bulk_create(bf, batch_size=BATCH)
    counts["mothers after birth"] = len(pps)

    # 4. Catin and adolescent girls: new synthetic sons and daughters of demo mothers (so every
    # person without a mother is still a household's mother), in the mother's household.
    mother_of_household = {m[4]: m for m in mothers.values() if m[4]}
    new_people, roles = [], []
    for role, share, (low, high) in (("catin", 12, (17.5, 30.0)), ("remaja", 6, (12.1, 18.9))):
        picks = rng.choice(len(households), size=min(len(households), max(40, len(households) // share)), replace=False)
        for i in picks:
            hh, desa = households[i]
            mother = mother_of_household.get(hh)
            if mother is None or not posyandu_by_desa.get(desa):
                continue
            sex = ("F" if rng.random() < 0.6 else "M") if role == "catin" else "F"
            born = today - dt.timedelta(days=int(rng.uniform(low, high) * 365.25))
            if (born - mother[2]).days < 16 * 365:
                continue  # the mother would have been too young
            pool = demo_names.FEMALE_NAMES if sex == "F" else demo_names.MALE_NAMES
            # The household's JKN status (the mother's), drawing nothing: the other synthetic values stay.
            new_people.append(Person(name=_name(rng, pool), sex=sex, birth_date=born, household_id=hh, desa_id=desa,
                                     mother_id=mother[0], posyandu_id=int(rng.choice(posyandu_by_desa[desa])),
                                     jkn_status=mother[9], jkn_checked_on=mother[10]))
            roles.append(role)
    Person.objects.bulk_create(new_people, batch_size=BATCH)
    catins, teens = [], []
    for p, role in zip(new_people, roles, strict=True):
        if role == "catin":
            screened = today - dt.timedelta(days=int(rng.integers(0, 330)))
            s = CatinScreening(person_id=p.pk, desa_id=p.desa_id, posyandu_id=p.posyandu_id, screened_on=screened,
                               planned_marriage_on=screened + dt.timedelta(days=int(rng.integers(90, 200))),
                               kua=f"KUA {p.desa_id}", weight_kg=round(float(rng.normal(54 if p.sex == "F" else 63, 9)), 1),
                               height_cm=round(float(rng.normal(154 if p.sex == "F" else 165, 6)), 1),
                               lila_cm=round(float(rng.normal(25.8, 2.4)), 1) if p.sex == "F" else None,
                               hb_gdl=round(float(rng.normal(12.4, 1.2)), 1), smoking=p.sex == "M" and rng.random() < 0.5)
            services.apply_catin_rule(s, p)
            catins.append(s)
        else:
            teens.append(Adolescent(person_id=p.pk, desa_id=p.desa_id, posyandu_id=p.posyandu_id,
                                    school=f"SMP/SMA Negeri {int(rng.integers(1, 12))}", grade=str(int(rng.integers(7, 13))),
                                    in_school=rng.random() < 0.9, rule_version=version))
    CatinScreening.objects.bulk_create(catins, batch_size=BATCH)
    for t in teens:
        if rng.random() < 0.7:
            t.latest_hb_gdl = round(float(rng.normal(12.6, 1.1)), 1)
            t.latest_hb_on = today - dt.timedelta(days=int(rng.integers(0, 180)))
            t.anaemia = rules.is_anaemic_adolescent(t.latest_hb_gdl)
    Adolescent.objects.bulk_create(teens, batch_size=BATCH)
    tests, weeks = [], []
    monday = today - dt.timedelta(days=today.weekday())
    for t in teens:
        if t.latest_hb_gdl is not None:
            tests.append(HbTest(adolescent_id=t.pk, tested_on=t.latest_hb_on, hb_gdl=t.latest_hb_gdl,
                                anaemia=t.anaemia, rule_version=version))
        if t.in_school:
            adherence = rng.uniform(0.3, 1.0)
            weeks += [TtdWeek(adolescent_id=t.pk, week_start=monday - dt.timedelta(weeks=w), taken=rng.random() < adherence)
                      for w in range(4)]
    HbTest.objects.bulk_create(tests, batch_size=BATCH)
    TtdWeek.objects.bulk_create(weeks, batch_size=BATCH)
    counts["catin"], counts["adolescent girls"] = len(catins), len(teens)

    # 5. KRS: every household, this semester, every criterion; verdicts derived by the rules.
    period = rules.semester_of(today)
    snaps = [KrsSnapshot(household_id=hh, desa_id=desa, period=period, water_source=str(rng.choice(WATER, p=WATER_P)),
                         latrine=str(rng.choice(LATRINE, p=LATRINE_P)), house_livable=bool(rng.random() < 0.92),
                         welfare=str(rng.choice(["pra_s", "ks1", "ks2", "ks3", "ks3plus"], p=[0.1, 0.25, 0.35, 0.25, 0.05])),
                         couple=bool(rng.random() < 0.93), modern_contraception=bool(rng.random() < 0.62))
             for hh, desa in households]
    services.derive_many(snaps, on=today)  # before the insert: no bulk update of every row
    KrsSnapshot.objects.bulk_create(snaps, batch_size=BATCH)
    counts["KRS snapshots"] = len(snaps)
    counts["KRS families"] = sum(1 for s in snaps if s.krs)

    # 6. TPK teams (one per ~120 households of a desa), assigned to the desa's target families; visits.
    by_desa: dict[str, list[KrsSnapshot]] = defaultdict(list)
    for s in snaps:
        if s.target:
            by_desa[s.desa_id].append(s)
    teams, assign, visits = [], [], []
    for desa, fams in sorted(by_desa.items()):
        n = max(1, len(fams) // 120)
        desa_teams = [TpkTeam(name=f"TPK {desa[-4:]}-{k + 1}", desa_id=desa,
                              bidan=f"Bd. {_name(rng, demo_names.FEMALE_NAMES, 1)}",
                              kader_pkk=_name(rng, demo_names.FEMALE_NAMES), kader_kb=_name(rng, demo_names.FEMALE_NAMES))
                      for k in range(n)]
        teams += desa_teams
        by_desa[desa] = [(desa_teams, f) for f in fams]
    TpkTeam.objects.bulk_create(teams, batch_size=BATCH)
    month_start = today.replace(day=1)
    for _desa, pairs in by_desa.items():
        for i, (desa_teams, snap) in enumerate(pairs):
            team = desa_teams[i % len(desa_teams)]
            assign.append(TpkAssignment(team_id=team.pk, household_id=snap.household_id, since=today - dt.timedelta(days=200)))
            p_month = 0.62 if snap.krs else 0.3
            for back in range(2):  # this month and the last
                start = (month_start - dt.timedelta(days=28 * back)).replace(day=1)
                end = today if back == 0 else (start + dt.timedelta(days=27))
                if rng.random() < p_month and (end - start).days >= 0:
                    d = start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))
                    visits.append(TpkVisit(team_id=team.pk, household_id=snap.household_id, desa_id=snap.desa_id,
                                           person_id=snap.wife_id, visited_on=d, counselling=True,
                                           referral="referred" if rng.random() < 0.08 else "",
                                           social_assistance=bool(rng.random() < 0.15),
                                           danger_signs_checked=bool(snap.pregnant), follow_up_needed=bool(rng.random() < 0.1)))
    TpkAssignment.objects.bulk_create(assign, batch_size=BATCH)
    TpkVisit.objects.bulk_create(visits, batch_size=BATCH)
    counts["TPK teams"], counts["TPK visits"] = len(teams), len(visits)
    from .summary import refresh_target_summaries

    refresh_target_summaries(region_code=region_code)  # bulk_create sends no post_save
    return counts
