import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tumbuh.analytics.testing import make_child, measure
from tumbuh.coordination import metrics, services
from tumbuh.coordination import selectors as sel
from tumbuh.coordination.models import Commitment, Meeting

MEETING_DAY = dt.date(2025, 2, 20)


def _children(world):
    a = make_child(world["kuala"], world["pos_kuala"], born=dt.date(2023, 1, 10))
    b = make_child(world["kuala"], world["pos_kuala"], born=dt.date(2023, 3, 10))
    c = make_child(world["tanjung"], world["pos_tanjung"], born=dt.date(2023, 3, 10))
    d = make_child(world["tanjung"], world["pos_tanjung"], born=dt.date(2023, 4, 10))
    return a, b, c, d


def _rakor(world, **kw):
    return services.create_meeting(world["users"]["kota"], region=world["kota"], kind="rakor",
                                   title="Rakor TPPS Semester I", date=kw.pop("date", MEETING_DAY), **kw)


def test_materials_frozen_at_the_meeting_stay_after_new_data(world):
    a, b, c, d = _children(world)
    measure(a, dt.date(2025, 2, 10), haz=-2.5, waz=-1, whz=0, bmiz=0)
    measure(b, dt.date(2025, 2, 11), haz=-0.5, waz=-1, whz=0, bmiz=0)
    meeting = _rakor(world)
    assert meeting.materials_frozen_at is not None
    frozen = dict(meeting.materials)
    assert frozen["period"] == "2025-02"
    assert frozen["headline"]["stunting"]["rate"] == 50.0 and frozen["coverage"]["weighed"] == 2
    # Data entered later for the same month changes the live dashboard, not the meeting.
    measure(c, dt.date(2025, 2, 25), haz=-3.0, waz=-1, whz=0, bmiz=0)
    from tumbuh.coordination.data_evidence import meeting_materials

    assert meeting_materials(world["kota"], MEETING_DAY)["coverage"]["weighed"] == 3
    meeting.refresh_from_db()
    assert meeting.materials == frozen
    assert services.freeze_materials(meeting) is False  # frozen once
    meeting.refresh_from_db()
    assert meeting.materials["coverage"]["weighed"] == 2


def test_live_progress_of_measurable_commitments(world):
    a, b, c, d = _children(world)
    kota = world["kota"]
    measured = services.add_commitment(world["users"]["kota"], region=kota, what="Cakupan penimbangan Agustus",
                                       metric="percent_measured", metric_period="2025-B08", target=75, unit="%",
                                       due_date=dt.date(2025, 8, 31))
    count = services.add_commitment(world["users"]["kota"], region=kota, what="Operasi timbang",
                                    metric="children_measured", metric_period="2025-08", target=3, unit="anak",
                                    due_date=dt.date(2025, 8, 31))
    prev = services.add_commitment(world["users"]["kota"], region=kota, what="Prevalensi di bawah 30%",
                                   metric="stunting_prevalence", metric_period="2025-08", target=30, unit="%",
                                   due_date=dt.date(2025, 12, 31))
    p = metrics.progress_of(measured)
    assert p.live and p.value == 0.0 and not p.met
    measure(a, dt.date(2025, 8, 5), haz=-2.5, waz=-1, whz=0, bmiz=0)
    measure(b, dt.date(2025, 8, 6), haz=-0.5, waz=-1, whz=0, bmiz=0)
    assert metrics.progress_of(measured).value == 50.0 and metrics.progress_of(measured).percent == pytest.approx(66.7)
    assert metrics.progress_of(count).value == 2 and not metrics.progress_of(count).met
    assert metrics.progress_of(prev).value == 50.0 and not metrics.progress_of(prev).met
    measure(c, dt.date(2025, 8, 7), haz=-0.5, waz=-1, whz=0, bmiz=0)
    measure(d, dt.date(2025, 8, 8), haz=-0.1, waz=-1, whz=0, bmiz=0)
    assert metrics.progress_of(measured).value == 100.0 and metrics.progress_of(measured).met
    assert metrics.progress_of(count).met
    assert metrics.progress_of(prev).value == 25.0 and metrics.progress_of(prev).met  # lower is better


def test_registry_accepts_new_metrics():
    metrics.register("pmt_packages", "PMT", "paket", lambda code, period: 562.0)
    try:
        c = Commitment(region_id="64.74", what="PMT", metric="pmt_packages", target=562, due_date=dt.date(2025, 1, 1))
        assert metrics.progress_of(c).met
    finally:
        metrics.REGISTRY.pop("pmt_packages")


def test_overdue_agenda_and_my_commitments(world, client):
    kota_user, utara = world["users"]["kota"], world["users"]["utara"]
    first = _rakor(world, date=dt.date(2025, 1, 15))
    late = services.add_commitment(kota_user, region=world["kota"], meeting=first, what="Laporan kinerja ke provinsi",
                                   owner=utara, due_date=dt.date(2025, 2, 1))
    done = services.add_commitment(kota_user, region=world["kota"], meeting=first, what="SK lokus",
                                   due_date=dt.date(2025, 2, 1), status="selesai")
    later = services.add_commitment(kota_user, region=world["kota"], meeting=first, what="Miniloka di 10 puskesmas",
                                    due_date=dt.date(2025, 12, 1))
    today = dt.date(2025, 3, 1)
    assert late.is_overdue(today) and not done.is_overdue(today) and not later.is_overdue(today)
    assert list(sel.overdue(Commitment.objects.all(), today)) == [late]
    second = _rakor(world, date=dt.date(2025, 3, 1))
    lines = second.agenda.splitlines()
    assert "TERLAMBAT Laporan kinerja" in lines[1] and "Miniloka" in lines[2] and "SK lokus" not in second.agenda
    assert list(sel.my_commitments(utara)) == [late]
    client.force_login(utara)
    html = client.get("/coordination/commitments/?mine=1").content.decode()
    assert "Laporan kinerja" in html and "Miniloka" not in html
    # The owner updates their own item even outside edit rights for the kota.
    assert client.post(f"/coordination/commitments/{late.pk}/", {"status": "selesai", "comment": "terkirim"}).status_code == 302
    late.refresh_from_db()
    assert late.status == "selesai"


def test_scoping_of_meetings(world):
    u = world["users"]
    kota_meeting = _rakor(world)
    miniloka = services.create_meeting(u["utara"], region=world["utara"], kind="miniloka", title="Miniloka Bontang Utara",
                                       date=MEETING_DAY)
    other = services.create_meeting(u["other"], region=world["other"], kind="rakor", title="Rakor Samarinda", date=MEETING_DAY)
    assert set(sel.meetings_for(u["prov"])) == {kota_meeting, miniloka, other}
    assert set(sel.meetings_for(u["kota"])) == {kota_meeting, miniloka}
    assert set(sel.meetings_for(u["utara"])) == {miniloka}
    assert set(sel.meetings_for(u["selatan"])) == set()
    assert set(sel.meetings_for(u["cadre"])) == set()
    kota_meeting.invited_users.add(u["cadre"])
    assert set(sel.meetings_for(u["cadre"])) == {kota_meeting}
    with pytest.raises(PermissionDenied):
        services.create_meeting(u["utara"], region=world["kota"], kind="rakor", title="x", date=MEETING_DAY)
    with pytest.raises(PermissionDenied):
        services.create_meeting(u["cadre"], region=world["kuala"], kind="rakor", title="x", date=MEETING_DAY)
    assert Meeting.objects.count() == 3


def test_meeting_pages(client, world):
    client.force_login(world["users"]["kota"])
    r = client.post("/coordination/meetings/new/", {"kind": "rakor", "title": "Rakor TPPS Kota Bontang",
                                                    "date": "2025-02-20", "region": "64.74", "chair": "Wakil Wali Kota"})
    assert r.status_code == 302
    m = Meeting.objects.get()
    r = client.post(f"/coordination/meetings/{m.pk}/", {"form": "commitment", "what": "562 paket PMT",
                                                        "target": "562", "unit": "paket", "due_date": "2025-06-30",
                                                        "status": "belum", "budget": "150000000"})
    assert r.status_code == 302, r.content.decode()[:2000]
    bad = client.post(f"/coordination/meetings/{m.pk}/", {"form": "commitment", "what": "x", "metric": "percent_measured",
                                                          "metric_period": "Agustus", "due_date": "2025-06-30", "status": "belum"})
    assert "Tulis periode" in bad.content.decode() and "memerlukan target" in bad.content.decode()
    page = client.get(f"/coordination/meetings/{m.pk}/").content.decode()
    assert "562 paket PMT" in page and "150.000.000" in page
    client.force_login(world["users"]["other"])
    assert client.get(f"/coordination/meetings/{m.pk}/").status_code == 404
    client.force_login(world["users"]["selatan"])
    assert client.get(f"/coordination/meetings/{m.pk}/").status_code == 404
