"""JKN membership recorded on the person (registry Person.jkn_status) in the desa scorecard's JKN
item (any membership) and in RAN-PASTI's `pbi_jkn` (PBI only: PBI-APBN / PBI-APBD), with the
JKN-PBI deliveries that counted before."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import scope_for
from tumbuh.analytics.periods import Period
from tumbuh.analytics.testing import build_area, make_child, make_user, measure
from tumbuh.indicators import selectors
from tumbuh.indicators.scorecard import ND, T, Y
from tumbuh.indicators.testing import deliver
from tumbuh.registry.models import Person
from tumbuh.targets.models import Pregnancy

D = dt.date
S1 = Period.parse("2026-S1")  # 1 Jan - 30 Jun 2026
Q2 = Period.parse("2026-Q2")  # 1 Apr - 30 Jun 2026


def test_jkn_column_tri_state_and_check_date():
    statuses = ["pbi_apbn", "pbi_apbd", "mandiri", "ppu", "none", "", "ppu", "none"]
    checked = [None, D(2026, 6, 30), "2026-01-05", None, D(2026, 6, 1), None, D(2026, 7, 1), "2026-07-01"]
    out = selectors.jkn_column(statuses, checked, D(2026, 6, 30))
    assert out.dtype == np.int8
    # checked after the period's end: not known by then (not recorded), whatever the status
    assert out.tolist() == [1, 1, 1, 1, 0, -1, -1, -1]
    pbi = selectors.jkn_column(statuses, checked, D(2026, 6, 30), counted=("pbi_apbn", "pbi_apbd"))
    assert pbi.tolist() == [1, 1, -1, -1, 0, -1, -1, -1]
    assert selectors.jkn_column([], [], D(2026, 6, 30)).tolist() == []


@pytest.fixture
def area(db):
    return build_area()


def _family(area, *statuses, desa="kuala", checked=None):
    """A household whose members have these JKN statuses (first: a child under five)."""
    desa_, pos = area[desa], area[f"pos_{desa}"]
    kid = make_child(desa_, pos, born=D(2025, 6, 1))
    Person.objects.filter(pk=kid.pk).update(jkn_status=statuses[0], jkn_checked_on=checked)
    for i, status in enumerate(statuses[1:]):
        Person.objects.create(name=f"Anggota {kid.pk}-{i}", sex="F", birth_date=D(1994, 1, 1), desa=desa_,
                              posyandu=pos, household=kid.household, jkn_status=status, jkn_checked_on=checked)
    return kid.household


def test_pbi_jkn_counts_families_with_a_pbi_member_or_a_jkn_pbi_delivery(area):
    apbn = _family(area, "pbi_apbn")
    _family(area, "pbi_apbd", "pbi_apbd")  # two PBI members: one family
    _family(area, "mandiri", "mandiri")  # JKN, not PBI
    _family(area, "ppu", "ppu")  # JKN, not PBI
    _family(area, "none", "none")
    _family(area, "", "")
    _family(area, "pbi_apbn", checked=D(2026, 7, 2))  # checked after the semester: not yet known
    delivered = _family(area, "", "")
    deliver("JKN-PBI", D(2025, 3, 1), household=delivered)
    deliver("JKN-PBI", D(2026, 2, 1), household=apbn)  # both a delivery and a PBI member: still one
    Person.objects.create(name="Sendiri", sex="F", birth_date=D(1990, 1, 1), desa=area["kuala"],
                          posyandu=area["pos_kuala"], jkn_status="pbi_apbn")  # no household: no family to count
    _family(area, "pbi_apbd", desa="tanjung")  # the other kecamatan
    kota = scope_for(make_user(Role.KABUPATEN, region=area["kota"]))
    assert selectors.indicator_value(kota, "64.74", S1, "pbi_jkn").value == 4.0
    assert selectors.indicator_value(kota, "64.74.01", S1, "pbi_jkn").value == 3.0
    utara_desa = scope_for(make_user(Role.DESA, region=area["kuala"]))
    assert selectors.indicator_value(utara_desa, "64.74", S1, "pbi_jkn").value == 3.0
    assert selectors.indicator_value(kota, "64.74", Period.parse("2026-S2"), "pbi_jkn").value == 5.0
    opd = scope_for(make_user(Role.OPD, region=area["kota"]))
    assert not selectors.indicator_value(opd, "64.74", S1, "pbi_jkn").value


def test_pbi_jkn_moves_from_pbi_to_mandiri(area):
    home = _family(area, "pbi_apbd")
    kota = scope_for(make_user(Role.KABUPATEN, region=area["kota"]))
    assert selectors.indicator_value(kota, "64.74", S1, "pbi_jkn").value == 1.0
    Person.objects.filter(household=home).update(jkn_status="mandiri")
    assert selectors.indicator_value(kota, "64.74", S1, "pbi_jkn").value == 0.0


def _row(card, person):
    return next(r for r in card.people if r.person_id == person.pk)


def test_scorecard_jkn_item_reads_the_persons_membership(area):
    kuala, pos = area["kuala"], area["pos_kuala"]
    kids = {}
    for status, checked in (("ppu", None), ("pbi_apbn", D(2026, 6, 30)), ("none", D(2026, 5, 1)), ("", None),
                            ("mandiri", D(2026, 7, 1))):
        kid = make_child(kuala, pos, born=D(2025, 10, 20))
        Person.objects.filter(pk=kid.pk).update(jkn_status=status, jkn_checked_on=checked)
        measure(kid, D(2026, 5, 10), haz=-1.0, whz=0.0)
        kids[status] = kid
    own_delivery = make_child(kuala, pos, born=D(2025, 10, 20))
    deliver("JKN-PBI", D(2026, 1, 5), person=own_delivery)  # a JKN-PBI delivery to the child itself
    # A mother in the child's household with PPU: the child's own item stays "not recorded".
    Person.objects.create(name="Ibu PPU", sex="F", birth_date=D(1994, 1, 1), desa=kuala, posyandu=pos,
                          household=kids[""].household, jkn_status="ppu")
    # A pregnant woman with a mandiri membership: her own JKN item.
    mum = Person.objects.create(name="Ibu Hamil", sex="F", birth_date=D(1996, 1, 1), desa=kuala, posyandu=pos,
                                jkn_status="mandiri", household=make_child(kuala, pos, born=D(2022, 1, 1)).household)
    Pregnancy.objects.create(person=mum, desa=kuala, posyandu=pos, hpht=D(2026, 1, 1), due_on=D(2026, 10, 8))
    scope = scope_for(make_user(Role.KABUPATEN, region=area["kota"]))
    benar = selectors.scorecard(scope, "64.74.01.1001", Q2, with_people=True)
    opensid = selectors.scorecard(scope, "64.74.01.1001", Q2, "opensid", with_people=True)
    got = {s: _row(benar, k).statuses["jkn"] for s, k in kids.items()}
    assert got == {"ppu": Y, "pbi_apbn": Y, "none": T, "": ND, "mandiri": ND}  # mandiri checked after Q2
    assert _row(opensid, kids[""]).statuses["jkn"] == T  # OpenSID: unknown is T
    assert _row(benar, own_delivery).statuses["jkn"] == Y
    assert _row(benar, mum).statuses["jkn"] == Y
    q3 = selectors.scorecard(scope, "64.74.01.1001", Period.parse("2026-Q3"), with_people=True)
    assert _row(q3, kids["mandiri"]).statuses["jkn"] == Y


def test_scorecard_cells_follow_a_membership_edit(area):
    from tumbuh.registry import services

    kid = make_child(area["kuala"], area["pos_kuala"], born=D(2025, 10, 20))
    user = make_user(Role.KABUPATEN, region=area["kota"])
    scope = scope_for(user)

    def jkn_counts():
        card = selectors.scorecard(scope, "64.74", Q2)  # the maintained per-desa cells
        item = next(i for i in card.groups["anak"].items if i.item == "jkn")
        return item.counts[Y], item.counts[T], item.counts[ND]

    assert jkn_counts() == (0, 0, 1)
    services.update_person(user, kid, {"jkn_status": "pbi_apbd"})
    assert jkn_counts() == (1, 0, 0)
    services.update_person(user, kid, {"jkn_status": "none"})
    assert jkn_counts() == (0, 1, 0)
