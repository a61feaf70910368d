"""The gap page, its xlsx and the CLI show the same rows; OPD officers see their agency's items;
closing a gap as not applicable; editing rules."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.analytics.testing import build_area, make_child, measure
from tumbuh.audit.models import AuditEvent
from tumbuh.convergence import services
from tumbuh.convergence.models import Gap, LocalRule, NotApplicable
from tumbuh.coordination.models import Agency
from tumbuh.interventions.catalogue import load_catalogue
from tumbuh.measurements.signals import measurements_changed
from tumbuh.targets.models import Pregnancy

pytestmark = pytest.mark.django_db
TODAY = services.today("64.74")  # Bontang's date (WITA): stored gaps are for the region's day


@pytest.fixture
def area(django_user_model):
    load_catalogue()
    a = build_area()
    kids = []
    for desa, pos in ((a["kuala"], a["pos_kuala"]), (a["tanjung"], a["pos_tanjung"])):
        for haz in (-2.5, -0.5):
            kid = make_child(desa, pos, born=TODAY - dt.timedelta(days=500))
            measure(kid, TODAY - dt.timedelta(days=2), haz=haz, waz=-1.0, whz=-0.5)
            kids.append(kid)
    mother = make_child(a["kuala"], a["pos_kuala"], sex="F", born=dt.date(1995, 5, 5), name="Ibu Hamil")
    Pregnancy.objects.create(person=mother, desa=mother.desa, posyandu=mother.posyandu, hpht=TODAY - dt.timedelta(weeks=20),
                             due_on=TODAY + dt.timedelta(weeks=20))
    measurements_changed.send(sender=None, child_ids=[k.pk for k in kids])
    a["kids"], a["mother"] = kids, mother
    a["dinkes"] = Agency.objects.create(region=a["kota"], code="DINKES", name="Dinas Kesehatan Kota Bontang")
    a["dppkb"] = Agency.objects.create(region=a["kota"], code="DPPKB", name="DPPKB Kota Bontang")

    def user(name, role, **kw):
        return django_user_model.objects.create_user(name, password="x-pass-123456", role=role, **kw)

    a["kab"] = user("kab", Role.KABUPATEN, region=a["kota"])
    a["opd"] = user("opd", Role.OPD, region=a["kota"], agency=a["dppkb"])
    a["cadre"] = user("cadre", Role.CADRE, posyandu=a["pos_kuala"])
    return a


def xlsx_rows(content: bytes) -> list[list]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_cli_rows_equal_page_rows(client, area, tmp_path):
    client.force_login(area["kab"])
    page = client.get("/convergence/")
    assert page.status_code == 200
    total = Gap.objects.filter(desa__code__startswith="64.74").count()
    assert total > 10
    assert f"{total} " in page.content.decode()
    download = client.get("/convergence/?download=xlsx")
    rows = xlsx_rows(download.content)
    assert rows[0][0] == "Kesenjangan konvergensi"  # the Indonesian title block
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "NIK")
    page_rows = rows[header_at + 1:]
    out = tmp_path / "gaps.csv"
    call_command("convergence", "gaps", "--region", "64.74", "-o", str(out))
    with out.open(encoding="utf-8") as fh:
        cli = list(csv.DictReader(fh))
    assert len(cli) == len(page_rows) == total
    # same people, items and reasons, in the same order (the page masks NIKs; the CLI does not)
    key = [(r["name"], r["desa_code"], r["intervention_code"], r["qualifying_reason"], r["opd"]) for r in cli]
    assert key == [(r[1], r[3], r[6], r[8], r[7]) for r in page_rows]
    assert [r["nik"][-4:] for r in cli] == [r[0][-4:] for r in page_rows]
    for column in ("nik", "name", "birth_date", "desa_code", "posyandu", "target_group", "intervention_code", "opd",
                   "qualifying_reason", "since"):
        assert column in cli[0]
    # computed directly (the --as-of path, never stored) for today, the rows are the stored ones
    from tumbuh.convergence.management.commands import convergence as cmd
    from tumbuh.convergence.selectors import gap_rows, sort_key
    from tumbuh.convergence.services import compute

    direct = sorted(gap_rows(compute(TODAY, region_code="64.74")[0]), key=sort_key)
    stored, _day = cmd.rows_for("64.74", None)
    drop = ("gap",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in direct] == \
        [{k: v for k, v in r.items() if k not in drop} for r in sorted(stored, key=sort_key)]
    # a week earlier the children were not measured yet: no PMT gaps
    week_ago, _day = cmd.rows_for("64.74", TODAY - dt.timedelta(days=7))
    assert not [r for r in week_ago if r["intervention_code"] == "PMT-BALITA"]
    call_command("convergence", "gaps", "--region", "64.74", "-o", str(tmp_path / "gaps.xlsx"))
    assert xlsx_rows((tmp_path / "gaps.xlsx").read_bytes())[0][0] == "Kesenjangan konvergensi"
    assert AuditEvent.objects.filter(action="export", object_type="convergence.gap").count() == 3


def test_filters_and_audit(client, area):
    client.force_login(area["kab"])
    body = client.get("/convergence/?item=ANC").content.decode()
    assert "Ibu Hamil" in body and "PMT-BALITA" not in body.split("<tbody>")[1].split("</tbody>")[0]
    body = client.get("/convergence/?region=64.74.02").content.decode()
    assert "Bontang Kuala" not in body.split("<tbody>")[1]
    assert client.get("/convergence/?region=63").status_code == 404
    assert AuditEvent.objects.filter(action="view_list", object_type="convergence.gap").count() == 2


def test_opd_officer_sees_only_their_agency_items(client, area):
    client.force_login(area["opd"])
    body = client.get("/convergence/").content.decode()
    assert "Kesenjangan saya" in body
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    assert "PENDAMPINGAN-TPK" in table
    assert "PMT-BALITA" not in table and "ANC" not in table
    assert set(Gap.objects.filter(agency_code="DPPKB").values_list("item_code", flat=True)) == {"PENDAMPINGAN-TPK"}
    dinkes_gap = Gap.objects.filter(agency_code="DINKES").first()
    assert client.get(f"/convergence/gaps/{dinkes_gap.pk}/").status_code == 404


def test_cadre_sees_their_posyandu_only(client, area):
    client.force_login(area["cadre"])
    body = client.get("/convergence/").content.decode()
    other = area["kids"][2]
    assert other.name not in body and area["kids"][0].name in body


def test_mark_not_applicable_from_the_page(client, area):
    client.force_login(area["kab"])
    gap = Gap.objects.get(person=area["kids"][0], item_code="PMT-BALITA")
    response = client.post(f"/convergence/gaps/{gap.pk}/", {"reason": "moved", "note": "pindah ke Samarinda"})
    assert response.status_code == 302
    assert not Gap.objects.filter(pk=gap.pk).exists()
    na = NotApplicable.objects.get(person=area["kids"][0])
    assert na.reason == "moved" and na.created_by == area["kab"]
    assert "PMT-BALITA" in client.get("/convergence/not-applicable/").content.decode()
    client.post(f"/convergence/not-applicable/{na.pk}/revoke/")
    assert Gap.objects.filter(person=area["kids"][0], item_code="PMT-BALITA").exists()
    # a cadre of another posyandu cannot see or close it
    client.force_login(area["cadre"])
    other = Gap.objects.get(person=area["kids"][2], item_code="PMT-BALITA")
    assert client.post(f"/convergence/gaps/{other.pk}/", {"reason": "refused"}).status_code == 404


def test_rules_page_edit_by_the_kota_team(client, area):
    client.force_login(area["kab"])
    body = client.get("/convergence/rules/").content.decode()
    assert "balita-pmt" in body and "Perpres" in body
    response = client.post("/convergence/rules/", {
        "region": "64.74", "rule_id": "lokal-baas", "group": "balita", "item": "baas", "label": "BAAS setiap anak stunting",
        "condition": '{"kind": "child_undernourished", "indices": ["haz"], "weight_gain": [], "bgm": false}',
        "window": '{"kind": "days_before", "days": 180}'})
    assert response.status_code == 302
    assert LocalRule.objects.filter(region=area["kota"], rule_id="lokal-baas").exists()
    assert Gap.objects.filter(item_code="BAAS").count() == 2  # the two stunted children
    bad = client.post("/convergence/rules/", {"region": "64.74", "rule_id": "x", "group": "balita", "item": "BAAS",
                                              "condition": "{nope", "window": '{"kind": "ever"}'})
    assert bad.status_code == 200 and LocalRule.objects.count() == 1
    client.force_login(area["cadre"])
    assert client.post("/convergence/rules/", {"region": "64.74", "rule_id": "y", "disable": "on"}).status_code == 404
    client.force_login(area["opd"])
    assert client.post("/convergence/rules/", {"region": "64.74", "rule_id": "balita-vita", "disable": "on"}).status_code == 404


def test_stale_desa_refreshed_on_read(client, area, monkeypatch):
    from tumbuh.convergence import services

    client.force_login(area["kab"])
    client.get("/convergence/")
    tomorrow = services.today("64.74") + dt.timedelta(days=1)
    monkeypatch.setattr(services, "today", lambda region_code=None: tomorrow)
    assert services.stale_desa("64.74")
    client.get("/convergence/")
    assert not services.stale_desa("64.74")
    assert set(Gap.objects.values_list("computed_on", flat=True)) == {tomorrow}


def test_cli_plain_values_are_the_model_rows(area, monkeypatch):
    """The CLI reads stored gaps and computes --as-of gaps as plain values (no model instances):
    the rows are exactly those built from Gap instances, a not-applicable mark still closes its
    gap, whether the marks are read per id chunk or in one scan (an area)."""
    from tumbuh.convergence import services
    from tumbuh.convergence.selectors import gap_rows, ordered, stored_gaps

    kid = area["kids"][0]
    gap = Gap.objects.get(person=kid, item_code="PMT-BALITA")
    services.mark_not_applicable(area["kab"], gap, NotApplicable.Reason.REFUSED, "keluarga menolak")

    def plain(rows):
        return [{k: v for k, v in r.items() if k != "gap"} for r in rows]

    for bulk in (services.BULK_PEOPLE, 0):
        monkeypatch.setattr(services, "BULK_PEOPLE", bulk)
        for day in (TODAY, TODAY - dt.timedelta(days=1)):
            models, comps, _v = services.compute(day, region_code="64.74")
            values, no_comps, _v = services.compute(day, region_code="64.74", plain=True)
            assert comps and no_comps == []
            assert plain(gap_rows(values)) == plain(gap_rows(models))
            assert len(values) > 10
            assert not [g for g in values if g.person_id == kid.pk and g.rule_id == "balita-pmt"]
    stored = ordered(Gap.objects.all())
    assert plain(gap_rows(stored_gaps(stored))) == plain(gap_rows(stored))


def test_stored_gaps_are_for_the_regions_day_whoever_reads(client, area, django_user_model):
    """At 16:30 UTC it is already tomorrow in Bontang (WITA) but still today in Jakarta (WIB).
    A national administrator (no region: the server's WIB) and Bontang's own team read the same
    stored gaps, computed for Bontang's date; neither read makes the other's stale."""
    import time_machine

    from tumbuh.convergence import services

    admin = django_user_model.objects.create_user("nasional", password="x-pass-123456", role=Role.ADMIN)
    utc_day = dt.datetime.now(dt.UTC).date()
    with time_machine.travel(dt.datetime(utc_day.year, utc_day.month, utc_day.day, 16, 30, tzinfo=dt.UTC), tick=False):
        wita_day = utc_day + dt.timedelta(days=1)
        assert services.today("64.74") == wita_day and timezone.localdate() == utc_day  # WIB: 23:30
        for user in (admin, area["kab"], admin):
            client.force_login(user)
            page = client.get("/convergence/?region=64.74")
            assert page.status_code == 200 and page.context["today"] == wita_day
            assert set(Gap.objects.values_list("computed_on", flat=True)) == {wita_day}
            assert not services.stale_desa("64.74") and not services.stale_desa("")
        # A write by the administrator refreshes the child's gaps for Bontang's day too.
        measure(area["kids"][1], utc_day, haz=-2.6, waz=-1.0, whz=-0.5)
        measurements_changed.send(sender=None, child_ids=[area["kids"][1].pk])
        assert set(Gap.objects.values_list("computed_on", flat=True)) == {wita_day}
        from tumbuh.convergence.management.commands import convergence as cmd

        rows, day = cmd.rows_for("64.74", None)
        assert day == wita_day and rows


def test_jkn_gap_page_links_to_the_childs_jkn_status(client, area):
    stunted = area["kids"][0]
    gap = Gap.objects.get(household=stunted.household, rule_id="keluarga-jkn")
    client.force_login(area["kab"])
    page = client.get(f"/convergence/gaps/{gap.pk}/").content.decode()
    assert f'href="/registry/people/{stunted.pk}/edit/"' in page
    assert "Catat kepesertaan JKN" in page and "juga menutup kesenjangan ini" in page
    assert "anak peserta JKN, atau JKN-PBI" in client.get("/convergence/rules/").content.decode()
    # other gaps have no such link
    pmt = Gap.objects.get(person=stunted, rule_id="balita-pmt")
    assert "Catat kepesertaan JKN" not in client.get(f"/convergence/gaps/{pmt.pk}/").content.decode()
