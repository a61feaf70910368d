"""RAN-PASTI indicators: numerators and denominators on hand-built rows (pure), and read from the
database under a scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import scope_for
from tumbuh.analytics.periods import Period
from tumbuh.analytics.testing import build_area, make_child, make_user, measure
from tumbuh.coordination import metrics
from tumbuh.indicators import ranpasti, selectors
from tumbuh.indicators.models import LocalTarget
from tumbuh.indicators.ranpasti import (
    AdolescentRow,
    Facts,
    HouseholdRow,
    MeasurementRow,
    PostpartumRow,
    PregnancyRow,
)
from tumbuh.indicators.testing import course, deliver
from tumbuh.registry.models import Person
from tumbuh.targets.models import AncVisit, KrsSnapshot, Pregnancy, TpkTeam, TpkVisit

D = dt.date
S1 = Period.parse("2026-S1")


def facts(**kw) -> Facts:
    f = Facts(start=S1.start, end=S1.end)
    for k, v in kw.items():
        setattr(f, k, v)
    return f


def test_every_definition_has_a_function_or_says_why_not():
    for d in ranpasti.definitions():
        if d.get("computable", True):
            assert d["code"] in ranpasti.FUNCTIONS, d["code"]
            assert d.get("numerator") and (d.get("denominator") or d.get("count")), d["code"]
        else:
            assert d.get("why"), d["code"]
    codes = {d["code"] for d in ranpasti.definitions()}
    assert {"bumil_kek_pmt", "bumil_ttd90", "remaja_ttd", "asi_eksklusif", "gizi_buruk_tatalaksana",
            "pemantauan_pertumbuhan", "gizi_kurang_pmt", "imunisasi_dasar_lengkap", "catin_skrining",
            "kb_pascasalin", "air_minum_layak", "sanitasi_layak", "krs_pendampingan"} <= codes


def test_kek_pmt_within_the_pregnancy():
    pregs = [PregnancyRow(1, D(2026, 1, 1), "", None, True, 0), PregnancyRow(2, D(2026, 1, 1), "", None, True, 0),
             PregnancyRow(3, D(2026, 1, 1), "", None, False, 0)]
    f = facts(pregnancies=pregs)
    f.person_deliveries[(1, "PMT-BUMIL")].append((D(2026, 3, 1), 30))
    f.person_deliveries[(2, "PMT-BUMIL")].append((D(2025, 12, 1), 30))  # before HPHT: another pregnancy
    assert ranpasti.bumil_kek_pmt(f) == (1, 2)


def test_ttd90_the_larger_source_never_the_sum():
    ended = [PregnancyRow(1, D(2025, 9, 1), "live_birth", D(2026, 5, 1), False, 0, ttd_anc=60),
             PregnancyRow(2, D(2025, 9, 1), "live_birth", D(2026, 5, 1), False, 0, ttd_anc=90),
             PregnancyRow(3, D(2025, 9, 1), "stillbirth", D(2026, 2, 1), False, 0, ttd_anc=10),
             PregnancyRow(4, D(2025, 9, 1), "", None, False, 0, ttd_anc=120)]  # ongoing: not in the denominator
    f = facts(pregnancies=ended)
    f.person_deliveries[(1, "TTD-BUMIL")] += [(D(2025, 10, 1), 30), (D(2026, 1, 1), 30)]  # 60 + 60 = 120 if summed
    f.person_deliveries[(3, "TTD-BUMIL")].append((D(2025, 10, 1), 90))
    assert ranpasti.bumil_ttd90(f) == (2, 3)


def test_adolescents_breastfeeding_kb():
    f = facts(adolescents=[AdolescentRow(1, True, False), AdolescentRow(2, False, True), AdolescentRow(3, False, False)])
    assert ranpasti.remaja_ttd(f) == (1, 3) and ranpasti.remaja_hb(f) == (1, 3)
    full = dict.fromkeys(range(1, 7), True)
    posts = [PostpartumRow(1, D(2025, 10, 15), "iud", False, full),  # 6 months on 15 Apr 2026
             PostpartumRow(2, D(2025, 10, 15), "", True, {**full, 4: False}),
             PostpartumRow(3, D(2025, 10, 15), "", False, {1: True, 2: True}),  # months 3-6 not recorded
             PostpartumRow(4, D(2025, 6, 1), "refused", False, full),  # 6 months before the semester
             PostpartumRow(5, D(2026, 2, 1), "refused", False, {}),
             PostpartumRow(6, D(2026, 3, 1), "implant", False, {})]
    f = facts(postpartum=posts)
    assert ranpasti.asi_eksklusif(f) == (1, 3)
    assert ranpasti.kb_pascasalin(f) == (1, 2)  # delivered in the semester: 5 refused, 6 implant


def test_child_indicators():
    children = [(1, D(2025, 3, 1)), (2, D(2025, 6, 30)), (3, D(2024, 1, 1)), (4, D(2025, 7, 1))]
    ms = [MeasurementRow(1, D(2026, 2, 1), 337, -3.2, False, None),
          MeasurementRow(1, D(2026, 5, 1), 426, -2.5, False, None),  # latest: gizi kurang
          MeasurementRow(2, D(2026, 3, 1), 244, -1.0, False, 11.2),  # LiLA < 11.5 at 8 months: gizi buruk
          MeasurementRow(3, D(2026, 3, 1), 790, -3.5, True, None),  # flagged: not counted
          MeasurementRow(99, D(2026, 3, 1), 700, -2.1, False, None)]  # not on the register
    f = facts(children=children, measurements=ms)
    f.person_deliveries[(1, "TATA-LAKSANA-GIZI-BURUK")].append((D(2026, 2, 15), 1))  # day 14: in time
    f.person_deliveries[(2, "RUMAH-SINGGAH-GIZI")].append((D(2026, 3, 16), 1))  # day 15: too late
    f.person_deliveries[(99, "PMT-BALITA")].append((D(2026, 3, 2), 0))
    assert ranpasti.gizi_buruk_tatalaksana(f) == (1, 2)
    assert ranpasti.pemantauan_pertumbuhan(f) == (3, 4)
    assert ranpasti.gizi_kurang_pmt(f) == (1, 2)  # child 1 (no PMT) and child 99 (PMT)
    f.person_deliveries[(2, "IMUNISASI-DASAR")].append((D(2026, 6, 30), 1))  # on the first birthday
    f.person_deliveries[(1, "IMUNISASI-DASAR")].append((D(2026, 3, 2), 1))  # after 12 months
    assert ranpasti.imunisasi_dasar_lengkap(f) == (1, 2)  # children 1 and 2 turn 12 in the semester


def test_catin_and_households():
    f = facts(catin=[(1, D(2026, 1, 1), D(2026, 4, 1)), (1, D(2026, 3, 1), D(2026, 4, 1)),  # first: 90 days before
                     (2, D(2026, 1, 2), D(2026, 4, 1))])  # 89 days before
    assert ranpasti.catin_skrining(f) == (1, 2)
    hh = [HouseholdRow(1, "pam", "own_septic", True, True, False),
          HouseholdRow(2, "sungai", "none", True, True, True),
          HouseholdRow(3, "", "", False, False, False)]
    f = facts(households=hh, safe_water={"pam"}, safe_latrine={"own_septic"}, tpk_visited={2})
    f.household_deliveries[(2, "JAMBAN")].append(D(2026, 2, 1))
    assert ranpasti.air_minum_layak(f) == (1, 2)
    assert ranpasti.sanitasi_layak(f) == (2, 2)
    assert ranpasti.krs_pendampingan(f) == (1, 2)
    assert ranpasti.unmet_need(f) == (1, 2)


def test_evaluate_targets_and_not_computable():
    f = facts(households=[HouseholdRow(1, "pam", "", True, True, False)], safe_water={"pam"})
    v = ranpasti.evaluate(ranpasti.definition("air_minum_layak"), f)
    assert (v.numerator, v.denominator, v.value, v.target_2024, v.meets_national) == (1, 1, 100.0, 100, True)
    v = ranpasti.evaluate(ranpasti.definition("unmet_need"), facts(households=[HouseholdRow(1, "", "", 0, 1, 1)]),
                          LocalTarget(target_percent=Decimal("5")))
    assert v.value == 100.0 and v.meets_national is False and v.meets_local is False and v.lower_is_better
    v = ranpasti.evaluate(ranpasti.definition("mpasi"), f)
    assert not v.computable and v.value is None and v.why


@pytest.fixture
def area(db):
    return build_area()


def test_read_from_the_database_scoped(area):
    kuala, pos = area["kuala"], area["pos_kuala"]
    mum = Person.objects.create(name="Ibu", sex="F", birth_date=D(1995, 1, 1), desa=kuala, posyandu=pos)
    far = Person.objects.create(name="Ibu Jauh", sex="F", birth_date=D(1995, 1, 1), desa=area["tanjung"],
                                posyandu=area["pos_tanjung"])
    for woman in (mum, far):
        p = Pregnancy.objects.create(person=woman, desa=woman.desa, posyandu=woman.posyandu, hpht=D(2025, 12, 1),
                                     due_on=D(2026, 9, 7), kek=True)
        AncVisit.objects.create(pregnancy=p, visited_on=D(2026, 2, 1), place="puskesmas", ttd_given=30)
    course("PMT-BUMIL", D(2026, 3, 1), 120, person=mum)
    kid = make_child(kuala, pos, born=D(2025, 9, 1))
    measure(kid, D(2026, 4, 1), haz=-1, whz=-2.5)
    deliver("PMT-BALITA", D(2026, 4, 20), person=kid)
    team = TpkTeam.objects.create(name="TPK", desa=kuala)
    KrsSnapshot.objects.create(household=kid.household, desa=kuala, period="2026-S1", water_source="sungai",
                               latrine="own_septic", krs=True, pus=True)
    TpkVisit.objects.create(team=team, household=kid.household, desa=kuala, visited_on=D(2026, 5, 1))
    kota = scope_for(make_user(Role.KABUPATEN, region=area["kota"]))
    values = {v.code: v for v in selectors.indicator_table(kota, "64.74", S1)}
    assert (values["bumil_kek_pmt"].numerator, values["bumil_kek_pmt"].denominator) == (1, 2)
    assert (values["gizi_kurang_pmt"].numerator, values["gizi_kurang_pmt"].denominator) == (1, 1)
    assert (values["krs_pendampingan"].numerator, values["krs_pendampingan"].denominator) == (1, 1)
    assert (values["air_minum_layak"].numerator, values["sanitasi_layak"].numerator) == (0, 1)
    assert (values["pemantauan_pertumbuhan"].numerator, values["pemantauan_pertumbuhan"].denominator) == (1, 1)
    desa = scope_for(make_user(Role.DESA, region=area["tanjung"]))
    far_values = {v.code: v for v in selectors.indicator_table(desa, "64.74", S1)}
    assert far_values["bumil_kek_pmt"].denominator == 1 and far_values["krs_pendampingan"].denominator == 0
    opd = scope_for(make_user(Role.OPD, region=area["kota"]))
    assert all(not v.denominator for v in selectors.indicator_table(opd, "64.74", S1))
    # The same number as a commitment metric (coordination), under the system scope.
    LocalTarget.objects.create(region=area["kota"], indicator="bumil_kek_pmt", year=2026, target_percent=95)
    metric = metrics.REGISTRY["ranpasti_bumil_kek_pmt"]
    assert metric.compute("64.74", S1) == 50.0 and metric.higher_is_better
    assert not metrics.REGISTRY["ranpasti_unmet_need"].higher_is_better
    assert selectors.indicator_value(kota, "64.74.01", S1, "bumil_kek_pmt").local_target == 95.0
