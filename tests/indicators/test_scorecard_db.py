"""The scorecard read from hand-built records: which records count for a quarter, household data,
deliveries (voided ones not), scoping, and the OpenSID mode's different counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import scope_for
from tumbuh.analytics.periods import Period
from tumbuh.analytics.testing import build_area, make_child, make_user, measure
from tumbuh.indicators import selectors
from tumbuh.indicators.models import DanaDesa, LokusDesa
from tumbuh.indicators.scorecard import ND, TS, T, Y
from tumbuh.indicators.testing import deliver
from tumbuh.registry.models import Person
from tumbuh.targets.models import (
    AncVisit,
    KfVisit,
    KrsSnapshot,
    Postpartum,
    Pregnancy,
    TpkTeam,
    TpkVisit,
)

Q2 = Period.parse("2026-Q2")  # 1 Apr - 30 Jun 2026
D = dt.date


@pytest.fixture
def area(db):
    return build_area()


@pytest.fixture
def world(area):
    kuala, pos = area["kuala"], area["pos_kuala"]
    # A child of 8 months at the quarter's end, stunted in May.
    kid = make_child(kuala, pos, born=D(2025, 10, 20), name="Anak Kuala")
    for on in (D(2026, 2, 10), D(2026, 3, 10), D(2026, 4, 10)):
        measure(kid, on, haz=-1.5, whz=0.0, length=None)
    measure(kid, D(2026, 5, 10), haz=-2.5, whz=-0.5)  # length measured in the quarter
    measure(kid, D(2026, 7, 10), haz=-2.4, whz=-0.5)  # after the quarter: the 5th weighing
    team = TpkTeam.objects.create(name="TPK Kuala", desa=kuala)
    hh = kid.household
    for on in (D(2026, 4, 2), D(2026, 6, 2)):
        TpkVisit.objects.create(team=team, household=hh, desa=kuala, visited_on=on)
    KrsSnapshot.objects.create(household=hh, desa=kuala, period="2026-S1", water_source="pam", latrine="none")
    deliver("JAMBAN", D(2026, 6, 1), household=hh)
    deliver("IMUNISASI-DASAR", D(2026, 5, 1), person=kid)
    deliver("KIE-PENGASUHAN", D(2026, 5, 1), person=kid, voided=True)
    # A pregnant woman in TM3 at the quarter's end, not KEK; her household has no KRS record.
    mum = Person.objects.create(name="Ibu Hamil Kuala", sex="F", birth_date=D(1996, 1, 1), desa=kuala, posyandu=pos,
                                household=make_child(kuala, pos, born=D(2022, 1, 1)).household)
    preg = Pregnancy.objects.create(person=mum, desa=kuala, posyandu=pos, hpht=D(2025, 11, 1), due_on=D(2026, 8, 8))
    for on in (D(2026, 1, 10), D(2026, 3, 10), D(2026, 4, 10), D(2026, 7, 5)):
        AncVisit.objects.create(pregnancy=preg, visited_on=on, place="posyandu", ttd_given=30)
    # A mother who gave birth in the quarter, three KF visits.
    new_mum = Person.objects.create(name="Ibu Nifas Kuala", sex="F", birth_date=D(1998, 1, 1), desa=kuala,
                                    posyandu=pos)
    post = Postpartum.objects.create(person=new_mum, desa=kuala, posyandu=pos, delivered_on=D(2026, 5, 1))
    for on in (D(2026, 5, 2), D(2026, 5, 6), D(2026, 5, 20)):
        KfVisit.objects.create(postpartum=post, visited_on=on)
    # Elsewhere: a child in the other kecamatan.
    other = make_child(area["tanjung"], area["pos_tanjung"], born=D(2026, 1, 1), name="Anak Tanjung")
    measure(other, D(2026, 5, 5), haz=0.0, whz=0.0)
    return {"kid": kid, "mum": mum, "new_mum": new_mum, "other": other, **area}


def row(card, person):
    return next(r for r in card.people if r.person_id == person.pk)


def test_child_items_from_records(world):
    card = selectors.scorecard(scope_for(make_user(Role.KABUPATEN, region=world["kota"])), "64.74.01.1001", Q2,
                               with_people=True)
    kid = row(card, world["kid"])
    assert kid.detail == "6-12 bln" and kid.growth_mat == "M"
    assert kid.statuses == {
        "imunisasi": Y, "penimbangan": T,  # 4 weighings by 30 June (the July one does not count)
        "konseling_ibu": T, "pengasuhan": T,  # the only parenting delivery was voided
        "kunjungan_rumah": Y,  # stunted in May, two TPK visits in the quarter
        "ukur_tinggi": Y, "air": Y, "jamban": Y,  # latrine none, but a JAMBAN delivery
        "akta": ND, "jkn": ND}


def test_opensid_mode_counts_differ(world):
    scope = scope_for(make_user(Role.KABUPATEN, region=world["kota"]))
    benar = selectors.scorecard(scope, "64.74.01.1001", Q2, "benar", with_people=True)
    opensid = selectors.scorecard(scope, "64.74.01.1001", Q2, "opensid", with_people=True)
    assert row(opensid, world["kid"]).statuses["penimbangan"] == Y  # the July weighing counted
    mum_b, mum_o = row(benar, world["mum"]), row(opensid, world["mum"])
    assert mum_b.detail == "TM3"
    assert mum_b.statuses["kunjungan_rumah"] == TS and mum_o.statuses["kunjungan_rumah"] == T
    assert mum_b.statuses["anc"] == T  # 3 contacts by 30 June (the July visit does not count), label >= 4
    assert mum_b.statuses["ttd"] == Y  # 90 tablets by 30 June
    assert mum_o.statuses["anc"] == T  # OpenSID: one ANC record in the quarter, needs 2
    assert (mum_b.statuses["air"], mum_o.statuses["air"]) == (ND, T)
    kuala_b = benar.desa[0]
    kuala_o = opensid.desa[0]
    assert kuala_b.code == kuala_o.code == "64.74.01.1001"
    assert kuala_b.score.expected < kuala_o.score.expected  # TS and no data leave the denominator


def test_mother_after_birth(world):
    card = selectors.scorecard(scope_for(make_user(Role.DESA, region=world["kuala"])), "64.74.01.1001", Q2,
                               with_people=True)
    nifas = row(card, world["new_mum"])
    assert nifas.detail == "bersalin"
    assert nifas.statuses["nifas"] == Y and nifas.statuses["anc"] == TS


def test_quarter_bounds_who_is_counted(world):
    scope = scope_for(make_user(Role.KABUPATEN, region=world["kota"]))
    q1 = selectors.scorecard(scope, "64.74.01.1001", Period.parse("2026-Q1"), with_people=True)
    assert world["new_mum"].pk not in {r.person_id for r in q1.people}  # gave birth in Q2
    # Born 20 Oct 2025: 23 months on 1 Oct 2027 (counted in 2027-Q4, in the 18-23 band), 26 on 1 Jan 2028.
    q4_2027 = selectors.scorecard(scope, "64.74.01.1001", Period.parse("2027-Q4"), with_people=True)
    assert row(q4_2027, world["kid"]).detail == "18-23 bln"
    q1_2028 = selectors.scorecard(scope, "64.74.01.1001", Period.parse("2028-Q1"), with_people=True)
    assert world["kid"].pk not in {r.person_id for r in q1_2028.people}


def test_scoped_and_ranked(world):
    desa_user = make_user(Role.DESA, region=world["tanjung"])
    card = selectors.scorecard(scope_for(desa_user), "64.74", Q2, with_people=True)
    assert {r.person_id for r in card.people} == {world["other"].pk}
    assert [d.code for d in card.desa] == ["64.74.02.1001"]
    cadre = make_user(Role.CADRE, posyandu=world["pos_kuala"])
    card = selectors.scorecard(scope_for(cadre), "64.74.01.1001", Q2, with_people=True)
    assert world["other"].pk not in {r.person_id for r in card.people} and card.people
    LokusDesa.objects.create(desa=world["tanjung"], year=2026)
    DanaDesa.objects.create(desa=world["tanjung"], year=2026, total=1_000_000, stunting=125_000)
    kota = selectors.scorecard(scope_for(make_user(Role.KABUPATEN, region=world["kota"])), "64.74", Q2)
    tanjung = next(d for d in kota.desa if d.code == "64.74.02.1001")
    assert tanjung.lokus and tanjung.dana_desa.share == 12.5 and tanjung.rank == 1
    assert {k.code for k in kota.kecamatan} == {"64.74.01", "64.74.02"}
    assert kota.people == []  # names only when asked for (desa level pages)
    opd = scope_for(make_user(Role.OPD, region=world["kota"]))
    assert selectors.scorecard(opd, "64.74", Q2, with_people=True).people == []


def test_trend_has_one_point_per_quarter(world):
    scope = scope_for(make_user(Role.KABUPATEN, region=world["kota"]))
    points = selectors.scorecard_trend(scope, "64.74.01.1001", Q2, 3)
    assert [p.period.key for p in points] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert points[-1].people == 3  # the child, the pregnant woman, the mother after birth


def test_cells_are_fresh_after_every_write(world):
    from tumbuh.indicators.models import ScorecardCell

    scope = scope_for(make_user(Role.KABUPATEN, region=world["kota"]))
    before = selectors.scorecard(scope, "64.74", Q2)
    assert ScorecardCell.objects.filter(period_key="2026-Q2").count() == 2  # one per desa
    kuala = next(d for d in before.desa if d.code == "64.74.01.1001")
    weighed = next(i for i in kuala.groups["anak"].items if i.item == "penimbangan").counts[Y]
    measure(world["kid"], D(2026, 1, 10), haz=-1.5, whz=0.0)  # the 5th weighing by 30 June
    assert not ScorecardCell.objects.filter(desa_id="64.74.01.1001").exists()
    assert ScorecardCell.objects.filter(desa_id="64.74.02.1001").exists()  # other desa untouched
    after = next(d for d in selectors.scorecard(scope, "64.74", Q2).desa if d.code == "64.74.01.1001")
    assert next(i for i in after.groups["anak"].items if i.item == "penimbangan").counts[Y] == weighed + 1
    # The cells give what the records give.
    live = selectors._live(selectors.SYSTEM, "64.74", Q2, "benar", False)[0]
    cached = selectors.scorecard(scope, "64.74", Q2).desa
    assert [(c.code, c.score, c.growth_mat, c.breakdown) for c in live] == \
        [(c.code, c.score, c.growth_mat, c.breakdown) for c in cached]


def test_refresh_command_fills_cells(world):
    from django.core.management import call_command

    from tumbuh.indicators.models import ScorecardCell

    call_command("refresh_scorecards", region="64.74", period="2026-Q2", quarters=2, stdout=io.StringIO())
    assert ScorecardCell.objects.count() == 2 * 2 * 2  # 2 desa x 2 quarters x 2 modes
