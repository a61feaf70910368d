"""Every default rule at its boundaries (window edges, ages, cut-offs), on hand-built frames."""

import datetime as dt

import pytest

from tumbuh.convergence import rules as R

from .frames import AS_OF, World, days

D = dt.date


def child(w: World, months: int, *, extra_days: int = 0, **kw) -> int:
    """A child of exactly `months` completed months on AS_OF (plus `extra_days` younger)."""
    born = R.add_months(AS_OF, -months) - days(0) + days(extra_days)
    return w.person(born, **kw)


# --- balita-pmt: undernourished in the last 90 days -> PMT-BALITA in the 90 days before ----------

@pytest.mark.parametrize("field,value,expected", [
    ("whz", -2.01, "gap"), ("whz", -2.0, "n/a"), ("waz", -2.01, "gap"), ("waz", -2.0, "n/a"),
    ("haz", -2.01, "gap"), ("haz", -2.0, "n/a"),
])
def test_pmt_z_cutoffs(field, value, expected):
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(10), **{field: value})
    assert w.status("balita-pmt", c) == expected


def test_pmt_flagged_z_does_not_qualify_but_2t_and_bgm_do():
    w = World()
    flagged, two_t, bgm = child(w, 20), child(w, 20), child(w, 20)
    w.measure(flagged, AS_OF - days(5), haz=-7, flags=("haz",))
    w.measure(two_t, AS_OF - days(5), gain="2T")
    w.measure(bgm, AS_OF - days(5), bgm=True)
    assert w.status("balita-pmt", flagged) == "n/a"
    assert w.status("balita-pmt", two_t) == "gap"
    assert w.status("balita-pmt", bgm) == "gap"


def test_pmt_only_the_latest_measurement_in_90_days_counts():
    w = World()
    recovered, old = child(w, 20), child(w, 20)
    w.measure(recovered, AS_OF - days(40), whz=-2.5)
    w.measure(recovered, AS_OF - days(5), whz=-1.0)
    w.measure(old, AS_OF - days(91), whz=-2.5)  # outside the 90 days: not in the group
    assert w.status("balita-pmt", recovered) == "n/a"
    assert w.status("balita-pmt", old) == "n/a"
    edge = child(w, 20)
    w.measure(edge, AS_OF - days(90), whz=-2.5)
    assert w.status("balita-pmt", edge) == "gap"


@pytest.mark.parametrize("months,extra,expected", [(59, 0, "gap"), (60, 0, "n/a"), (0, 0, "gap")])
def test_pmt_ages(months, extra, expected):
    w = World()
    c = child(w, months, extra_days=extra)
    w.measure(c, AS_OF, whz=-2.5)
    assert w.status("balita-pmt", c) == expected


@pytest.mark.parametrize("ago,expected", [(90, "ok"), (91, "gap"), (0, "ok")])
def test_pmt_delivery_window_edges(ago, expected):
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(3), whz=-2.5)
    w.deliver(c, "PMT-BALITA", AS_OF - days(ago))
    assert w.status("balita-pmt", c) == expected


def test_pmt_course_overlapping_the_window_counts_and_a_future_delivery_does_not():
    w = World()
    a, b, future = child(w, 20), child(w, 20), child(w, 20)
    for c in (a, b, future):
        w.measure(c, AS_OF - days(3), whz=-2.5)
    w.course(a, "PMT-BALITA", AS_OF - days(200), AS_OF - days(90))  # ends on the window's first day
    w.course(b, "PMT-BALITA", AS_OF - days(200), AS_OF - days(91))
    assert w.status("balita-pmt", a) == "ok"
    assert w.status("balita-pmt", b) == "gap"
    w.deliver(future, "PMT-BALITA", AS_OF + days(1))
    # `latest` is read "on or before as-of" by the loader; a row after as-of never satisfies
    assert w.status("balita-pmt", future) == "gap"


def test_pmt_reason_and_since():
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(7), whz=-2.34, haz=-2.5)
    row = w.row("balita-pmt", c)
    assert row["reason_code"] == "measurement"
    assert row["reason_args"] == {"on": (AS_OF - days(7)).isoformat(), "whz": -2.34, "haz": -2.5}
    assert row["since"].date() == AS_OF - days(7)


# --- balita-rujukan: stunted -> RUJUKAN once since the first stunted measurement -----------------

def test_rujukan_since_the_first_stunted_measurement():
    w = World()
    before, same_day, none = child(w, 30), child(w, 30), child(w, 30)
    for c in (before, same_day, none):
        w.measure(c, AS_OF - days(200), haz=-2.2)  # the first stunted measurement
        w.measure(c, AS_OF - days(10), haz=-2.4)
    w.deliver(before, "RUJUKAN", AS_OF - days(201))
    w.deliver(same_day, "RUJUKAN", AS_OF - days(200))
    assert w.status("balita-rujukan", before) == "gap"
    assert w.status("balita-rujukan", same_day) == "ok"
    assert w.status("balita-rujukan", none) == "gap"
    assert w.row("balita-rujukan", none)["since"].date() == AS_OF - days(200)


def test_rujukan_needs_tbu_not_wasting():
    w = World()
    c = child(w, 30)
    w.measure(c, AS_OF - days(3), whz=-2.5, haz=-1.0)
    assert w.status("balita-rujukan", c) == "n/a"


# --- balita-gizi-buruk: BB/TB < -3 or LiLA < 11.5 -> treatment, due within 14 days ----------------

@pytest.mark.parametrize("kw,expected", [
    ({"whz": -3.01}, "gap"), ({"whz": -3.0}, "n/a"), ({"lila": 11.4}, "gap"), ({"lila": 11.5}, "n/a"),
    ({"oedema": True, "whz": None}, "gap"),
])
def test_gizi_buruk_cutoffs(kw, expected):
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(2), **kw)
    assert w.status("balita-gizi-buruk", c) == expected


def test_gizi_buruk_due_14_days_after_and_treatment_since_the_measurement():
    w = World()
    c, treated_before, treated = child(w, 20), child(w, 20), child(w, 20)
    for x in (c, treated_before, treated):
        w.measure(x, AS_OF - days(14), whz=-3.5)
    w.deliver(treated_before, "TATA-LAKSANA-GIZI-BURUK", AS_OF - days(15))
    w.deliver(treated, "TATA-LAKSANA-GIZI-BURUK", AS_OF - days(14))
    assert w.row("balita-gizi-buruk", c)["due_on"].date() == AS_OF  # day 14: due today, not yet overdue
    assert w.status("balita-gizi-buruk", treated_before) == "gap"
    assert w.status("balita-gizi-buruk", treated) == "ok"


# --- balita-vita: 6-59 months -> VIT-A in the last February/August round ----------------------------

def test_vita_round_dates():
    assert R.vita_round(D(2026, 1, 31)) == (D(2025, 8, 1), D(2025, 8, 31))
    assert R.vita_round(D(2026, 2, 1)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert R.vita_round(D(2026, 8, 1)) == (D(2026, 8, 1), D(2026, 8, 31))
    assert R.vita_round(D(2026, 7, 31)) == (D(2026, 2, 1), D(2026, 2, 28))


def test_vita_delivery_window_edges():
    w = World()
    in_round, before_round = child(w, 30), child(w, 30)
    w.deliver(in_round, "VIT-A", D(2026, 2, 1))
    w.deliver(before_round, "VIT-A", D(2026, 1, 31))
    assert w.status("balita-vita", in_round) == "ok"
    assert w.status("balita-vita", before_round) == "gap"
    # the August round opens on 1 August: February's capsule no longer covers it
    assert w.status("balita-vita", in_round, as_of=D(2026, 8, 1)) == "gap"
    assert w.status("balita-vita", in_round, as_of=D(2026, 7, 31)) == "ok"


def test_vita_ages():
    w = World()
    too_young_in_round = w.person(D(2025, 9, 1))  # 5 completed months on 28 Feb 2026
    six_by_round_end = w.person(D(2025, 8, 28))  # 6 months on 28 Feb
    five_months = w.person(R.add_months(AS_OF, -5))
    fifty_nine, sixty = child(w, 59), child(w, 60)
    assert w.status("balita-vita", too_young_in_round) == "n/a"
    assert w.status("balita-vita", six_by_round_end) == "gap"
    assert w.status("balita-vita", five_months) == "n/a"
    assert w.status("balita-vita", fifty_nine) == "gap"
    assert w.status("balita-vita", sixty) == "n/a"


# --- baduta-diukur: 0-23 months -> measured in the as-of month or the month before -----------------

def test_measured_window_edges_and_ages():
    w = World()
    first_of_prev, last_before, none = child(w, 10), child(w, 10), child(w, 10)
    w.measure(first_of_prev, D(2026, 5, 1))
    w.measure(last_before, D(2026, 4, 30))
    assert w.status("baduta-diukur", first_of_prev) == "ok"
    assert w.status("baduta-diukur", last_before) == "gap"
    assert w.row("baduta-diukur", none)["since"].date() == D(2026, 5, 1)
    assert w.status("baduta-diukur", child(w, 23)) == "gap"
    assert w.status("baduta-diukur", child(w, 24)) == "n/a"
    newborn = w.person(AS_OF - days(3))
    assert w.row("baduta-diukur", newborn)["since"].date() == AS_OF - days(3)


# --- baduta-imunisasi: 12-23 months -> IMUNISASI-DASAR, due at 12 months ----------------------------

def test_immunisation_ages_and_due():
    w = World()
    eleven, twelve, twenty_three, twenty_four = child(w, 11), child(w, 12), child(w, 23), child(w, 24)
    assert w.status("baduta-imunisasi", eleven) == "n/a"
    assert w.status("baduta-imunisasi", twelve) == "gap"
    assert w.status("baduta-imunisasi", twenty_three) == "gap"
    assert w.status("baduta-imunisasi", twenty_four) == "n/a"
    assert w.row("baduta-imunisasi", twelve)["due_on"].date() == AS_OF
    w.deliver(twelve, "IMUNISASI-DASAR", AS_OF - days(30))
    assert w.status("baduta-imunisasi", twelve) == "ok"


# --- bumil-anc / ttd / pmt -------------------------------------------------------------------------------

def mother(w: World, weeks: int, **kw):
    pid = w.person(D(1996, 1, 1), sex="F")
    preg = w.pregnancy(pid, AS_OF - dt.timedelta(weeks=weeks), **kw)
    return pid, preg


def test_anc_schedule_boundaries():
    assert R.anc_required(12, R.default_ruleset().by_id("bumil-anc").window["due"]) == (0, None)
    assert R.anc_required(13, R.default_ruleset().by_id("bumil-anc").window["due"]) == (2, 13)
    w = World()
    early, _ = mother(w, 12)
    assert w.status("bumil-anc", early) == "n/a"  # nothing due yet
    at13, p13 = mother(w, 13)
    w.anc(p13, AS_OF - days(40))
    assert w.status("bumil-anc", at13) == "gap"
    w.anc(p13, AS_OF - days(40))  # the same day again: one contact
    assert w.status("bumil-anc", at13) == "gap"
    w.anc(p13, AS_OF - days(20))
    assert w.status("bumil-anc", at13) == "ok"
    row = w.row("bumil-anc", at13)
    assert row["reason_args"]["contacts"] == 2 and row["reason_args"]["required"] == 2


def test_anc_delivery_records_count_and_dedupe_with_visits():
    w = World()
    pid, preg = mother(w, 26)  # 3 due
    w.anc(preg, AS_OF - days(100))
    w.deliver(pid, "ANC", AS_OF - days(100))  # same day as the visit: one contact
    w.deliver(pid, "ANC", AS_OF - days(50))
    assert w.status("bumil-anc", pid) == "gap"
    w.deliver(pid, "ANC", AS_OF - days(10))
    assert w.status("bumil-anc", pid) == "ok"


def test_pregnancy_ended_or_long_overdue_is_not_chased():
    w = World()
    ended = w.person(D(1996, 1, 1), sex="F")
    w.pregnancy(ended, AS_OF - dt.timedelta(weeks=30), outcome="live_birth", outcome_on=AS_OF - days(1))
    assert w.status("bumil-anc", ended) == "n/a"
    # as of the day before the outcome she was still pregnant
    assert w.status("bumil-anc", ended, as_of=AS_OF - days(2)) == "gap"
    overdue = w.person(D(1996, 1, 1), sex="F")
    w.pregnancy(overdue, AS_OF - days(280 + 15))
    assert w.status("bumil-anc", overdue) == "n/a"


def test_ttd_pro_rata_boundaries():
    assert R.ttd_required(12, 90, 12, 36) == 0
    assert R.ttd_required(13, 90, 12, 36) == 4  # ceil(90/24)
    assert R.ttd_required(36, 90, 12, 36) == 90
    assert R.ttd_required(40, 90, 12, 36) == 90
    w = World()
    pid, preg = mother(w, 24)  # ceil(90 * 12 / 24) = 45 due
    w.anc(preg, AS_OF - days(30), ttd=30)
    w.deliver(pid, "TTD-BUMIL", AS_OF - days(10), quantity=14)
    assert w.status("bumil-ttd", pid) == "gap"
    w.deliver(pid, "TTD-BUMIL", AS_OF - days(9), quantity=1)
    assert w.status("bumil-ttd", pid) == "ok"


def test_pmt_bumil_only_for_kek():
    w = World()
    kek, _ = mother(w, 20, kek=True)
    not_kek, _ = mother(w, 20)
    assert w.status("bumil-pmt", kek) == "gap"
    assert w.status("bumil-pmt", not_kek) == "n/a"
    w.deliver(kek, "PMT-BUMIL", AS_OF - days(90))
    assert w.status("bumil-pmt", kek) == "ok"


# --- catin ------------------------------------------------------------------------------------------------

def test_catin_screened_three_months_before_marriage():
    w = World()
    marriage = D(2026, 9, 15)
    in_time, late, married = (w.person(D(2000, 1, 1), sex="F") for _ in range(3))
    w.catin(in_time, D(2026, 6, 15), marriage)  # exactly 3 months before
    w.catin(late, D(2026, 6, 16), marriage)
    w.catin(married, D(2026, 1, 1), AS_OF - days(1))  # married yesterday: no longer a catin
    assert w.status("catin-skrining", in_time, as_of=D(2026, 6, 20)) == "ok"
    assert w.status("catin-skrining", late, as_of=D(2026, 6, 20)) == "gap"
    assert w.status("catin-skrining", married) == "n/a"


def test_catin_ttd_only_if_anaemic_and_since_screening():
    w = World()
    anaemic, fine, treated = (w.person(D(2000, 1, 1), sex="F") for _ in range(3))
    for pid, an in ((anaemic, True), (fine, False), (treated, True)):
        w.catin(pid, AS_OF - days(20), AS_OF + days(100), anaemic=an)
    w.deliver(treated, "TTD-CATIN", AS_OF - days(20))
    assert w.status("catin-ttd", anaemic) == "gap"
    assert w.status("catin-ttd", fine) == "n/a"
    assert w.status("catin-ttd", treated) == "ok"


# --- remaja-ttd: 12-18, weekly for the last 4 weeks --------------------------------------------------------

def test_remaja_ages():
    w = World()
    ages = {}
    for years in (11, 12, 18, 19):
        pid = w.person(R.add_months(AS_OF, -12 * years), sex="F")
        w.adolescent(pid)
        ages[years] = pid
    assert w.status("remaja-ttd", ages[11]) == "n/a"
    assert w.status("remaja-ttd", ages[12]) == "gap"
    assert w.status("remaja-ttd", ages[18]) == "gap"
    assert w.status("remaja-ttd", ages[19]) == "n/a"


def test_remaja_four_complete_weeks_before_this_one():
    w = World()
    pid = w.person(D(2012, 1, 1), sex="F")
    aid = w.adolescent(pid)
    this_monday = R.monday(AS_OF)
    for k in (1, 2, 3):
        w.ttd_week(aid, this_monday - dt.timedelta(weeks=k))
    w.ttd_week(aid, this_monday)  # the current week does not count yet
    assert w.status("remaja-ttd", pid) == "gap"
    assert w.row("remaja-ttd", pid)["reason_args"]["weeks_missing"] == 1
    w.deliver(pid, "TTD-REMAJA", this_monday - dt.timedelta(weeks=4) + days(6))  # Sunday of week -4
    assert w.status("remaja-ttd", pid) == "ok"


def test_remaja_week_not_taken_is_missing():
    w = World()
    pid = w.person(D(2012, 1, 1), sex="F")
    aid = w.adolescent(pid)
    for k in (1, 2, 3, 4):
        w.ttd_week(aid, R.monday(AS_OF) - dt.timedelta(weeks=k), taken=(k != 2))
    assert w.status("remaja-ttd", pid) == "gap"


# --- keluarga: TPK visit in the month; water, latrine, JKN ----------------------------------------------------

def family(w: World, hid: int, *, stunted=True):
    w.household(hid)
    kid = child(w, 20, household=hid)
    w.measure(kid, AS_OF - days(5), haz=-2.5 if stunted else 0.0)
    return kid


def test_tpk_for_krs_or_the_family_of_an_undernourished_child():
    w = World()
    family(w, 10)  # child stunted
    family(w, 11, stunted=False)
    w.krs(11, "2026-S1", krs=True)
    family(w, 12, stunted=False)
    w.krs(12, "2026-S1", krs=False)
    assert w.status("keluarga-tpk", 10) == "gap"
    assert w.status("keluarga-tpk", 11) == "gap"
    assert w.status("keluarga-tpk", 12) == "n/a"
    w.tpk(10, D(2026, 6, 1))
    w.tpk(11, D(2026, 5, 31))  # last month does not count
    assert w.status("keluarga-tpk", 10) == "ok"
    assert w.status("keluarga-tpk", 11) == "gap"
    # a PENDAMPINGAN-TPK delivery to the household counts as the visit
    w.deliver(11, "PENDAMPINGAN-TPK", D(2026, 6, 1), subject=R.HOUSEHOLD)
    assert w.status("keluarga-tpk", 11) == "ok"


def test_krs_of_a_later_semester_is_not_read_for_an_earlier_date():
    w = World()
    family(w, 10, stunted=False)
    w.krs(10, "2026-S2", krs=True)
    assert w.status("keluarga-tpk", 10) == "n/a"
    assert w.status("keluarga-tpk", 10, as_of=D(2026, 7, 1)) == "gap"


def test_water_and_latrine():
    w = World()
    family(w, 10)
    w.krs(10, "2026-S1", water="sungai", latrine="own_no_septic")
    family(w, 11)
    w.krs(11, "2026-S1", water="sumur_terlindungi", latrine="own_septic")
    family(w, 12)  # no KRS data: unknown, not guessed unsafe
    family(w, 13, stunted=False)
    w.krs(13, "2026-S1", water="sungai")
    assert w.status("keluarga-air", 10) == "gap"
    assert w.status("keluarga-jamban", 10) == "gap"
    assert w.status("keluarga-air", 11) == "n/a"
    assert w.status("keluarga-jamban", 11) == "n/a"
    assert w.status("keluarga-air", 12) == "n/a"
    assert w.status("keluarga-air", 13) == "n/a"  # no undernourished child
    w.deliver(10, "AIR-MINUM", D(2020, 1, 1), subject=R.HOUSEHOLD)  # ever
    assert w.status("keluarga-air", 10) == "ok"
    # water now safe in the latest snapshot: no longer in the group
    w.krs(10, "2026-S2", water="pam", latrine="own_no_septic")
    assert w.status("keluarga-jamban", 10, as_of=D(2026, 7, 1)) == "gap"


def test_jkn_household_or_member():
    w = World()
    kid = family(w, 10)
    family(w, 11)
    assert w.status("keluarga-jkn", 10) == "gap"
    w.deliver(kid, "JKN-PBI", D(2024, 1, 1))  # recorded for the child
    w.deliver(11, "JKN-PBI", D(2024, 1, 1), subject=R.HOUSEHOLD)
    assert w.status("keluarga-jkn", 10) == "ok"
    assert w.status("keluarga-jkn", 11) == "ok"


# JKN membership recorded in the registry (Person.jkn_status) closes keluarga-jkn: the child's
# own membership, since JKN is per person and it is the child who needs the care it pays for.

@pytest.mark.parametrize("status,expected", [
    ("", "gap"), ("none", "gap"), ("pbi_apbn", "ok"), ("pbi_apbd", "ok"), ("mandiri", "ok"), ("ppu", "ok"),
])
def test_jkn_membership_of_the_child_closes_the_household_gap(status, expected):
    w = World()
    kid = family(w, 10)
    w.jkn(kid, status)
    assert w.status("keluarga-jkn", 10) == expected


def test_jkn_membership_set_back_to_none_reopens_the_gap():
    w = World()
    kid = family(w, 10)
    w.jkn(kid, "mandiri", D(2026, 3, 1))
    assert w.status("keluarga-jkn", 10) == "ok"
    w.jkn(kid, "none", D(2026, 6, 10))
    assert w.status("keluarga-jkn", 10) == "gap"


def test_jkn_of_another_member_does_not_cover_the_child():
    w = World()
    kid = family(w, 10)
    mother = w.person(D(1995, 1, 1), sex="F", household=10, jkn="ppu")
    assert w.status("keluarga-jkn", 10) == "gap"
    assert w.row("keluarga-jkn", 10)["reason_args"] == {"child": kid}
    # ...while a JKN-PBI delivery to any member still does (the rule's `also_person`, as before).
    w.deliver(mother, "JKN-PBI", D(2023, 5, 1))
    assert w.status("keluarga-jkn", 10) == "ok"


def test_jkn_every_undernourished_child_of_the_household_must_be_a_member():
    w = World()
    first = family(w, 10)
    second = child(w, 40, household=10)
    w.measure(second, AS_OF - days(2), whz=-2.4)
    w.jkn(first, "pbi_apbn")
    assert w.status("keluarga-jkn", 10) == "gap"
    # the open gap names the child still without JKN, not the covered one
    assert w.row("keluarga-jkn", 10)["reason_args"]["child"] == second
    w.jkn(second, "pbi_apbd")
    assert w.status("keluarga-jkn", 10) == "ok"
    # a sibling who is not undernourished is not asked for
    third = child(w, 10, household=11)
    w.household(11)
    w.measure(third, AS_OF - days(2), haz=-2.5)
    w.person(AS_OF - days(30), household=11)  # a newborn, no measurement, no JKN
    w.jkn(third, "ppu")
    assert w.status("keluarga-jkn", 11) == "ok"


@pytest.mark.parametrize("checked,expected", [(AS_OF, "ok"), (AS_OF + days(1), "gap"), (None, "ok")])
def test_jkn_status_counts_from_the_day_it_was_checked(checked, expected):
    w = World()
    kid = family(w, 10)
    w.jkn(kid, "ppu", checked)
    assert w.status("keluarga-jkn", 10) == expected


def test_local_rule_may_count_any_member_or_pbi_only():
    base = R.default_ruleset()
    jkn = next(r for r in base.rules if r.id == "keluarga-jkn")
    any_member = {"id": "keluarga-jkn", "group": "keluarga", "condition": dict(jkn.condition), "item": "JKN-PBI",
                  "window": {**jkn.window, "membership_of": "member"}}
    pbi_only = {**any_member, "window": {**jkn.window, "membership": ["pbi_apbn", "pbi_apbd"]}}
    assert not R.validate_rule(any_member) and not R.validate_rule(pbi_only)
    w = World()
    kid = family(w, 10)
    w.person(D(1995, 1, 1), sex="F", household=10, jkn="ppu")
    member_set = R.with_local(base, [any_member], region_code="64.74", revision=1)
    assert w.status("keluarga-jkn", 10, ruleset=member_set) == "ok"
    w.jkn(kid, "mandiri")
    pbi_set = R.with_local(base, [pbi_only], region_code="64.74", revision=2)
    assert w.status("keluarga-jkn", 10, ruleset=pbi_set) == "gap"
    assert w.status("keluarga-jkn", 10) == "ok"


def test_shipped_jkn_statuses_are_the_registry_choices():
    from tumbuh.registry.models import JKN_MEMBERSHIP, Person

    jkn = next(r for r in R.default_ruleset().rules if r.id == "keluarga-jkn")
    assert set(jkn.window["membership"]) == {str(s) for s in JKN_MEMBERSHIP}
    assert set(jkn.window["membership"]) < set(Person.JknStatus.values)
    assert "none" not in jkn.window["membership"]


def test_inactive_people_are_not_chased():
    w = World()
    gone = child(w, 20, active=False)
    w.measure(gone, AS_OF, whz=-2.5)
    assert w.status("balita-pmt", gone) == "n/a"
    assert w.status("balita-vita", gone) == "n/a"


# --- rule sets --------------------------------------------------------------------------------------------

def test_local_rule_adds_baas_for_every_stunted_child_and_versions_the_set():
    base = R.default_ruleset()
    baas = {"id": "lokal-baas", "group": "balita", "item": "BAAS",
            "condition": {"kind": "child_undernourished", "indices": ["haz"], "weight_gain": [], "bgm": False},
            "window": {"kind": "days_before", "days": 180}}
    assert R.validate_rule(baas) == []
    local = R.with_local(base, [baas, {"id": "balita-vita", "disabled": True}], region_code="64.74", revision=3)
    assert local.version == f"{base.version}+64.74.r3"
    assert "lokal-baas" in {r.id for r in local.rules} and "balita-vita" not in {r.id for r in local.rules}
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(2), haz=-2.5)
    assert w.status("lokal-baas", c, ruleset=local) == "gap"
    w.deliver(c, "BAAS", AS_OF - days(180))
    assert w.status("lokal-baas", c, ruleset=local) == "ok"


def test_local_rule_replaces_a_default_window():
    base = R.default_ruleset()
    pmt = base.by_id("balita-pmt")
    shorter = {"id": pmt.id, "group": pmt.group, "item": pmt.item, "condition": pmt.condition,
               "window": {"kind": "days_before", "days": 30}}
    local = R.with_local(base, [shorter], region_code="64.74", revision=1)
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(2), whz=-2.5)
    w.deliver(c, "PMT-BALITA", AS_OF - days(31))
    assert w.status("balita-pmt", c) == "ok"
    assert w.status("balita-pmt", c, ruleset=local) == "gap"


def test_invalid_rules_are_refused():
    assert R.validate_rule({"id": "x", "group": "balita", "item": "PMT", "condition": {"kind": "nope"},
                            "window": {"kind": "ever"}}) == ["unknown condition 'nope'"]
    assert "household conditions go with the keluarga group, and only they" in R.validate_rule(
        {"id": "x", "group": "balita", "item": "AIR", "condition": {"kind": "household"}, "window": {"kind": "ever"}})


def test_every_default_rule_has_a_source_and_known_kinds():
    for rule in R.default_ruleset().rules:
        assert rule.source, rule.id
        assert R.validate_rule({"id": rule.id, "group": rule.group, "item": rule.item, "condition": rule.condition,
                                "window": rule.window}) == [], rule.id


def test_completeness_counts_applicable_rules():
    w = World()
    c = child(w, 20)
    w.measure(c, AS_OF - days(5), whz=-2.5)
    w.deliver(c, "PMT-BALITA", AS_OF - days(5))
    out = w.evaluate()
    comp = R.completeness(out)
    row = comp[(comp["subject"] == "p") & (comp["subject_id"] == c)].iloc[0]
    # PMT (ok), VIT-A (gap), measured (ok), immunisation (gap: 20 months)
    assert (row["required"], row["received"], bool(row["complete"])) == (4, 2, False)
