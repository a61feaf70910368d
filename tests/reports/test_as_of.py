"""Numbers that say what day they count: commitment status as of the meeting date (and the
semester's end) from the status history the commitment service writes, and the gap counts that
say the day they were computed."""

import datetime as dt

import pytest
from django.utils import timezone

from tumbuh.coordination import services as cserv
from tumbuh.coordination.models import Commitment, CommitmentStatusChange
from tumbuh.coordination.selectors import statuses_as_of
from tumbuh.reports import render, sections, services
from tumbuh.web.timezones import zone_for_region


def _at(day: dt.date, region_code="64.74"):
    """Noon of a local day in the region's zone, as stored."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=zone_for_region(region_code))


def _backdate(c: Commitment, *days: dt.date):
    """Put the commitment's history entries (oldest first) on the given days."""
    for change, day in zip(c.status_changes.order_by("pk"), days, strict=True):
        CommitmentStatusChange.objects.filter(pk=change.pk).update(changed_at=_at(day))


@pytest.fixture
def kota_commitments(bontang):
    user = bontang["users"]["kota"]
    meeting = cserv.create_meeting(user, region=bontang["kota"], title="Rakor TPPS April", date=dt.date(2026, 4, 20),
                                   kind="rakor")
    a = cserv.add_commitment(user, region=bontang["kota"], meeting=meeting, what="Operasi timbang 100%",
                             due_date=dt.date(2026, 3, 31))
    b = cserv.add_commitment(user, region=bontang["kota"], meeting=meeting, what="Entri data pusat",
                             due_date=dt.date(2026, 9, 30), status="berjalan")
    return user, meeting, a, b


def test_the_service_writes_the_status_history(kota_commitments):
    user, _m, a, b = kota_commitments
    assert [(ch.previous, ch.status, ch.changed_by) for ch in a.status_changes.all()] == [("", "belum", user)]
    cserv.update_commitment(user, a, comment="Sudah dijadwalkan")  # no status change: no entry
    assert a.status_changes.count() == 1
    cserv.update_commitment(user, a, status="selesai")
    cserv.update_commitment(user, b, status="batal")
    assert [(ch.previous, ch.status) for ch in a.status_changes.all()] == [("", "belum"), ("belum", "selesai")]
    assert [(ch.previous, ch.status) for ch in b.status_changes.all()] == [("", "berjalan"), ("berjalan", "batal")]


def test_statuses_as_of_a_day(kota_commitments):
    user, _m, a, b = kota_commitments
    cserv.update_commitment(user, a, status="berjalan")
    cserv.update_commitment(user, a, status="selesai")
    _backdate(a, dt.date(2026, 4, 1), dt.date(2026, 5, 2), dt.date(2026, 6, 30))
    _backdate(b, dt.date(2026, 4, 20))
    zone = zone_for_region("64.74")
    got = lambda day: statuses_as_of([a, b], day, zone)  # noqa: E731
    assert got(dt.date(2026, 4, 20)) == {a.pk: ("belum", True), b.pk: ("berjalan", True)}
    assert got(dt.date(2026, 5, 2))[a.pk] == ("berjalan", True)
    assert got(dt.date(2026, 7, 1))[a.pk] == ("selesai", True)
    # Before its first entry: the first status recorded, flagged as not known for that day.
    assert got(dt.date(2026, 3, 1)) == {a.pk: ("belum", False), b.pk: ("berjalan", False)}
    # A commitment from before the history was kept (no entry): its current status, not known.
    legacy = Commitment.objects.create(region=a.region, what="Lama", due_date=dt.date(2026, 1, 31), status="selesai")
    assert statuses_as_of([legacy], dt.date(2026, 1, 1), zone) == {legacy.pk: ("selesai", False)}


def test_rakor_pack_shows_the_status_at_the_meeting_date(kota_commitments):
    user, meeting, a, b = kota_commitments
    _backdate(a, dt.date(2026, 4, 10))
    _backdate(b, dt.date(2026, 4, 10))
    cserv.update_commitment(user, a, status="selesai")  # done after the meeting (today)
    data = render.rakor_data(meeting)
    rows = {x["what"]: x for x in data["commitments"]}
    assert rows["Operasi timbang 100%"]["status"] == "belum" and rows["Operasi timbang 100%"]["current"] == "selesai"
    assert data["overdue"] == 1  # open at the meeting and due before it, although done now
    assert [c["n"] for c in data["commitment_counts"]] == [1, 1, 0, 0]
    assert data["status_unknown"] == 0
    html = render.rakor_html(meeting, user, slides=False)
    assert "Operasi timbang 100%" in html and "lewat tenggat saat rapat: 1" in html
    assert "Status komitmen pada akhir tanggal rapat" in html and "Selesai" in html  # at the meeting / now
    # Without a history reaching back to the date, the pack says so.
    CommitmentStatusChange.objects.filter(commitment=b).update(changed_at=_at(dt.date(2026, 5, 1)))
    data = render.rakor_data(meeting)
    assert data["status_unknown"] == 1
    assert "tidak mempunyai riwayat" in render.rakor_html(meeting, user, slides=False)


def test_semester_report_commitments_as_of_the_semester_end(bontang, kota_commitments):
    user, _m, a, b = kota_commitments
    _backdate(a, dt.date(2026, 3, 1))
    cserv.update_commitment(user, a, status="selesai")  # done in July, after the semester's end
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    ctx = sections.Context(region=bontang["kota"], period=render.Period(2026, "semester", 1),
                           today=timezone.localdate(), report=report)
    data = sections.build_commitments(ctx)
    row = next(x for x in data["rows"] if x["what"] == "Operasi timbang 100%")
    assert data["as_of"] == "2026-06-30" and row["status"] == "belum" and row["overdue"]
    assert data["counts"]["belum"] == 1 and data["overdue"] == 1


def test_gap_counts_say_the_day_they_were_computed(bontang):
    user = bontang["users"]["kota"]
    report = services.create_report(user, region=bontang["kota"], year=2026, semester=1)
    data = services.compute(report)
    conv = data["sections"]["convergence"]
    today = timezone.localdate()
    assert conv["computed_on"] == today.isoformat() and conv["period_end"] == "2026-06-30"
    html = render.semester_html(report, data, user)
    assert today > dt.date(2026, 6, 30)  # the machine's date: the report is computed after the semester
    assert "Jumlah kesenjangan per" in html and "bukan pada akhir semester (30 Jun 2026)" in html
