"""JKN membership on the person (issue 11): edited in the person and registration forms, saved
and audited by the registry services, shown on the child and household pages, in Indonesian."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tumbuh.audit.models import AuditEvent
from tumbuh.registry import services
from tumbuh.registry.models import JKN_MEMBERSHIP, JKN_PBI, Person
from tumbuh.registry.testing import make_household, nik_for
from tumbuh.web.timezones import zone_for_region

pytestmark = pytest.mark.django_db
# The person's region's date (Bontang, WITA): the check date is "in the future" after it, in
# any zone the request or the test runs in.
TODAY = timezone.localdate(timezone=zone_for_region("64.74"))


def _edit(child, **changes):
    data = {"name": child.name, "nik": child.nik, "sex": child.sex, "birth_date": child.birth_date.isoformat(),
            "birth_weight_kg": "", "birth_length_cm": "", "desa": child.desa_id, "posyandu": child.posyandu_id or "",
            "jkn_status": "", "jkn_checked_on": "", "active": "on", "inactive_reason": "", "confirm_warnings": "1"}
    data.update(changes)
    return data


def test_the_person_form_saves_and_audits_the_jkn_status(client, kec1_user, child1):
    client.force_login(kec1_user)
    checked = TODAY - dt.timedelta(days=3)
    response = client.post(reverse("registry:person_edit", args=[child1.pk]),
                           _edit(child1, jkn_status="pbi_apbn", jkn_checked_on=checked.isoformat()))
    assert response.status_code == 302
    child1.refresh_from_db()
    assert (child1.jkn_status, child1.jkn_checked_on) == ("pbi_apbn", checked)
    assert child1.has_jkn is True
    event = AuditEvent.objects.filter(action="update", object_type="registry.person", object_id=str(child1.pk)).get()
    assert event.user == kec1_user
    assert event.detail["fields"] == ["jkn_checked_on", "jkn_status"]
    assert event.detail["changes"]["jkn_status"] == ["", "pbi_apbn"]
    assert event.detail["changes"]["jkn_checked_on"] == [None, checked.isoformat()]
    page = client.get(reverse("registry:child_detail", args=[child1.pk])).content.decode()
    assert "PBI-APBN (iuran dibayar pemerintah pusat)" in page
    assert f"dicek {checked:%d-%m-%Y}" in page
    # The change history names the field and the status in words, the date as d-m-Y.
    history = page[page.index("Riwayat perubahan"):]
    assert "Kepesertaan JKN" in history and "→ PBI-APBN (iuran dibayar pemerintah pusat)" in history
    assert f"→ {checked:%d-%m-%Y}" in history and "pbi_apbn" not in history


def test_set_back_to_none_and_to_not_recorded(client, kec1_user, child1):
    services.update_person(kec1_user, child1, {"jkn_status": "mandiri"})
    client.force_login(kec1_user)
    client.post(reverse("registry:person_edit", args=[child1.pk]), _edit(child1, jkn_status="none"))
    child1.refresh_from_db()
    assert child1.jkn_status == "none" and child1.has_jkn is False
    assert "Tidak punya JKN" in client.get(reverse("registry:child_detail", args=[child1.pk])).content.decode()
    client.post(reverse("registry:person_edit", args=[child1.pk]), _edit(child1, jkn_status=""))
    child1.refresh_from_db()
    assert child1.jkn_status == "" and child1.has_jkn is None
    page = client.get(reverse("registry:child_detail", args=[child1.pk])).content.decode()
    assert "belum dicatat" in page


def test_a_check_date_needs_a_status_and_cannot_be_in_the_future(client, kec1_user, child1):
    client.force_login(kec1_user)
    url = reverse("registry:person_edit", args=[child1.pk])
    page = client.post(url, _edit(child1, jkn_checked_on=TODAY.isoformat())).content.decode()
    assert "Pilih status JKN yang dicek." in page
    tomorrow = TODAY + dt.timedelta(days=1)
    page = client.post(url, _edit(child1, jkn_status="ppu", jkn_checked_on=tomorrow.isoformat())).content.decode()
    assert "Tanggal cek tidak boleh di masa depan." in page
    child1.refresh_from_db()
    assert child1.jkn_status == "" and child1.jkn_checked_on is None
    assert not AuditEvent.objects.filter(action="update", object_type="registry.person").exists()
    # the same rule holds for a write that does not come through the form
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_person(kec1_user, child1, {"jkn_checked_on": TODAY})


def test_the_form_speaks_indonesian(client, kec1_user, child1):
    client.force_login(kec1_user)
    page = client.get(reverse("registry:person_edit", args=[child1.pk])).content.decode()
    for text in ("Kepesertaan JKN", "Belum dicatat", "PBI-APBD (iuran dibayar pemerintah daerah)",
                 "Mandiri (PBPU/BP, membayar iuran sendiri)", "PPU (pekerja penerima upah, iuran lewat pemberi kerja)",
                 "Tidak punya JKN", "Tanggal status JKN dicek", "Kosongkan bila belum diketahui."):
        assert text in page, text
    jkn_select = page[page.index('name="jkn_status"'):]
    assert "---------" not in jkn_select[:jkn_select.index("</select>")]


def test_every_jkn_field_and_choice_is_translated():
    for name in ("jkn_status", "jkn_checked_on"):
        field = Person._meta.get_field(name)
        with translation.override("en"):
            english = str(field.verbose_name), str(field.help_text)
        with translation.override("id"):
            indonesian = str(field.verbose_name), str(field.help_text)
        assert english[0] != indonesian[0] and english[1] != indonesian[1], name
    with translation.override("id"):
        labels = dict(Person.JknStatus.choices)
        assert {str(v) for v in labels.values()} == {
            "PBI-APBN (iuran dibayar pemerintah pusat)", "PBI-APBD (iuran dibayar pemerintah daerah)",
            "Mandiri (PBPU/BP, membayar iuran sendiri)", "PPU (pekerja penerima upah, iuran lewat pemberi kerja)",
            "Tidak punya JKN"}
    assert set(JKN_PBI) < set(JKN_MEMBERSHIP) and Person.JknStatus.NONE not in JKN_MEMBERSHIP


def test_registration_records_the_child_and_the_new_mother_jkn(client, kec1_user, regions):
    born = TODAY - dt.timedelta(days=150)
    data = {
        "child-name": "Bayi Jkn", "child-nik": nik_for(born, "M"), "child-sex": "M", "child-birth_date": born.isoformat(),
        "child-desa": regions["desa1"].pk, "child-posyandu": regions["pos1"].pk,
        "child-jkn_status": "pbi_apbd", "child-jkn_checked_on": TODAY.isoformat(),
        "mother_choice-mode": "new", "mother-name": "Ibu Jkn", "mother-nik": nik_for(dt.date(1996, 2, 3), "F"),
        "mother-birth_date": "1996-02-03", "mother-jkn_status": "ppu",
        "household_choice-mode": "new", "household-kk_number": "6474010101209991", "household-head_name": "Ayah",
        "household-address": "Jl. Kenari 9", "household-rt": "1", "household-rw": "2", "confirm_warnings": "1",
    }
    client.force_login(kec1_user)
    response = client.post(reverse("registry:child_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    child = Person.objects.get(name="Bayi Jkn")
    assert (child.jkn_status, child.jkn_checked_on, child.mother.jkn_status) == ("pbi_apbd", TODAY, "ppu")
    created = AuditEvent.objects.filter(action="create", object_type="registry.person")
    assert sorted(e.detail["jkn_status"] for e in created) == ["pbi_apbd", "ppu"]
    page = client.get(reverse("registry:child_create")).content.decode()
    assert "Kepesertaan JKN ibu" in page


def test_household_page_shows_each_member_status(client, kec1_user, regions, child1):
    home = make_household(desa=regions["desa1"])
    services.update_person(kec1_user, child1, {"household": home, "jkn_status": "ppu"})
    mother = Person.objects.create(name="Ibu Rumah", sex="F", birth_date=dt.date(1990, 1, 1), desa=regions["desa1"],
                                   household=home)
    client.force_login(kec1_user)
    page = client.get(reverse("registry:household_detail", args=[home.pk])).content.decode()
    rows = page[page.index("<tbody>"):page.index("</tbody>")]
    assert ">PPU</span>" in rows and 'title="PPU (pekerja penerima upah, iuran lewat pemberi kerja)"' in rows
    assert rows.count("belum dicatat") == 1  # the mother
    del mother
