import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tumbuh.analytics.testing import make_child, measure
from tumbuh.coordination import framework as fw
from tumbuh.coordination import services
from tumbuh.coordination.models import PublicPage, ReminderSent


def _all(grade):
    return {i.code: grade for a in fw.by_code("aksi8").actions for i in a.indicators}


def test_score_follows_the_years_configuration(world):
    a = services.ensure_assessment(world["kota"], 2025)
    cfg = fw.assessment_config(2025)
    assert services.score(a, "self") is None
    services.save_grades(world["users"]["kota"], a, _all("A"), review=False)
    assert services.score(a, "self") == 100.0
    grades = _all("A")
    grades.update({"1.1": "B", "1.2": "B", "1.3": "B", "1.4": "B"})  # aksi 1 all B: 75
    services.save_grades(world["users"]["prov"], a, grades, review=True, presentation=80)
    w = cfg.aksi_weights
    doc = (w[1] * 75 + sum(w[n] * 100 for n in range(2, 9))) / sum(w.values())
    assert services.score(a, "review") == pytest.approx(round(cfg.document_weight * doc + cfg.presentation_weight * 80, 2))
    # An ungraded indicator counts 0, unknown codes and grades are dropped.
    services.save_grades(world["users"]["prov"], a, {"8.1": "A", "9.9": "A", "7.1": "Z"}, review=True, presentation=0)
    assert a.review_grades == {"8.1": "A"}
    assert services.score(a, "review") == pytest.approx(round(cfg.document_weight * w[8] * 100 / sum(w.values()), 2))


def test_review_by_province_only_and_self_assessment_closed_after_review(world):
    a = services.ensure_assessment(world["kota"], 2025)
    with pytest.raises(PermissionDenied):
        services.save_grades(world["users"]["kota"], a, _all("A"), review=True)
    with pytest.raises(PermissionDenied):
        services.save_grades(world["users"]["other"], a, _all("A"), review=False)
    services.save_grades(world["users"]["prov"], a, _all("B"), review=True, presentation=50)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.save_grades(world["users"]["kota"], a, _all("A"), review=False)


def test_ranking_in_the_province_with_ties(world, client):
    a = services.ensure_assessment(world["kota"], 2025)
    b = services.ensure_assessment(world["other"], 2025)
    services.save_grades(world["users"]["prov"], a, _all("B"), review=True, presentation=90)
    services.save_grades(world["users"]["prov"], b, _all("A"), review=True, presentation=90)
    rows = services.ranking([a, b])
    assert [(r["region"].name, r["rank"]) for r in rows] == [("Kota Samarinda", 1), ("Kota Bontang", 2)]
    services.save_grades(world["users"]["prov"], a, _all("A"), review=True, presentation=90)
    a.refresh_from_db()
    assert [r["rank"] for r in services.ranking([a, b])] == [1, 1]
    client.force_login(world["users"]["prov"])
    html = client.get("/coordination/assessment/?year=2025").content.decode()
    assert "Kota Bontang" in html and "Kota Samarinda" in html
    client.force_login(world["users"]["kota"])
    html = client.get("/coordination/assessment/?year=2025").content.decode()
    assert "Kota Bontang" in html and "Kota Samarinda" not in html


def test_four_action_years_score_on_their_own_framework(world):
    a = services.ensure_assessment(world["kota"], 2026)
    assert a.framework == "aksi4"
    services.save_grades(world["users"]["kota"], a, {i.code: "A" for x in fw.by_code("aksi4").actions for i in x.indicators}, review=False)
    assert services.score(a, "self") == 100.0


def test_reminders_sent_once(world):
    u = world["users"]
    services.add_commitment(u["kota"], region=world["kota"], what="Laporan kinerja", owner=u["utara"],
                            due_date=dt.date(2025, 12, 20))
    services.add_deadline(u["kota"], region=world["kota"], title="Entri data pusat", due_date=dt.date(2025, 12, 18))
    today = dt.date(2025, 12, 15)
    first = services.send_reminders(today)
    assert first == 4  # utara: commitment + deadline; kota, selatan: deadline; not the province above
    assert services.send_reminders(today) == 0
    call_command("send_reminders", "--today", "2025-12-16")
    assert len(mail.outbox) == 4
    assert {m.to[0] for m in mail.outbox} == {"kec.utara@example.org", "tpps.bontang@example.org", "kec.selatan@example.org"}
    # Once overdue it is a new reminder, sent once too.
    assert services.send_reminders(dt.date(2025, 12, 21)) == 1
    assert services.send_reminders(dt.date(2025, 12, 22)) == 0
    assert ReminderSent.objects.count() == 5
    assert all("other" not in m.to[0] and "samarinda" not in m.to[0] for m in mail.outbox)


def test_ics_feed_per_user_token(world, client):
    u = world["users"]
    services.create_meeting(u["kota"], region=world["kota"], kind="rakor", title="Rakor TPPS; Semester II",
                            date=dt.date(2099, 7, 26))
    services.add_commitment(u["kota"], region=world["kota"], what="Miniloka", owner=u["kota"], due_date=dt.date(2099, 9, 1))
    token = services.calendar_token(u["kota"]).token
    r = client.get(f"/coordination/calendar/{token}.ics")
    body = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in body and "DTSTART;VALUE=DATE:20990726" in body and "Rakor TPPS\\; Semester II" in body
    assert "Miniloka" in body
    other = services.calendar_token(u["other"]).token
    assert "Rakor TPPS" not in client.get(f"/coordination/calendar/{other}.ics").content.decode()
    assert client.get("/coordination/calendar/not-a-token.ics").status_code == 404


def test_case_review_and_public_page(world, client):
    child = make_child(world["kuala"], world["pos_kuala"], born=dt.date(2023, 1, 10), name="Siti Contohnama")
    measure(child, dt.date(2025, 2, 10), haz=-2.5, waz=-1, whz=0, bmiz=0)
    client.force_login(world["users"]["kota"])
    r = client.post(f"/coordination/cases/new/{child.pk}/", {"reviewed_on": "2025-03-01", "findings": "Asupan kurang"})
    assert r.status_code == 302
    case_url = r["Location"]
    r = client.post(case_url, {"what": "Kunjungan rumah TPK", "due_date": "2025-03-15", "status": "belum"})
    assert r.status_code == 302
    assert "Kunjungan rumah TPK" in client.get(case_url).content.decode()
    client.force_login(world["users"]["selatan"])
    assert client.get(case_url).status_code == 404
    assert "Siti" not in client.get("/coordination/cases/").content.decode()
    client.force_login(world["users"]["cadre"])
    assert client.get(case_url).status_code == 404
    client.logout()
    assert client.get("/coordination/public/64.74/").status_code == 404  # off by default
    PublicPage.objects.create(region=world["kota"], enabled=True)
    html = client.get("/coordination/public/64.74/").content.decode()
    assert "Kota Bontang" in html and "Siti" not in html and "Kunjungan rumah" not in html
