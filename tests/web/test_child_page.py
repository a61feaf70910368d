"""The child page: scope, audit, identity, badges from real derived values, language."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.derivation import recompute_children
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_household, make_person


@pytest.fixture
def stunted_child(regions):
    """A boy of about 2 years whose latest length is far below the WHO median (stunted), measured twice."""
    born = timezone.localdate() - dt.timedelta(days=700)
    household = make_household(desa=regions["desa1"], kk_number="6474010101200009", address="Jl. Durian 7")
    mother = make_person(name="Ibu Rahma", sex="F", birth_date=dt.date(1994, 6, 1), desa=regions["desa1"],
                         household=household)
    child = make_person(name="Rizky Pratama", sex="M", birth_date=born, desa=regions["desa1"],
                        posyandu=regions["pos1"], household=household, mother=mother)
    for days, weight, length in [(600, 8.6, 75.0), (660, 8.6, 75.6)]:
        Measurement.objects.create(child=child, measured_on=born + dt.timedelta(days=days), weight_kg=weight,
                                   length_cm=length, position="l", desa=regions["desa1"], posyandu=regions["pos1"])
    recompute_children([child.pk])
    return child


@pytest.mark.django_db
def test_child_page_shows_identity_history_charts_in_indonesian(client, kec1_user, stunted_child):
    client.force_login(kec1_user)
    response = client.get(reverse("registry:child_detail", args=[stunted_child.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    latest = Measurement.objects.filter(child=stunted_child).latest("measured_on")
    assert latest.length_for_age_category in {"stunted", "severely_stunted"}
    assert stunted_child.nik in html  # full NIK on the child page
    assert "Ibu Rahma" in html and "Jl. Durian 7" in html and "RT 001/RW 002" in html and "Melati" in html
    for chart_id in ("chart-lhfa", "chart-wfa", "chart-wflh"):
        assert f'id="{chart_id}"' in html
    label = {"stunted": "Pendek", "severely_stunted": "Sangat pendek"}[latest.length_for_age_category]
    assert f"TB/U: {label}" in html
    assert 'class="badge orange"' in html or 'class="badge red"' in html
    assert f"{latest.length_for_age_z:+.2f}".replace(".", ",") in html  # Indonesian decimal comma (issue 8)
    assert "Riwayat pengukuran" in html and "Tanggal ukur" in html


@pytest.mark.django_db
def test_child_page_in_english(client, kec1_user, stunted_child):
    client.force_login(kec1_user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("registry:child_detail", args=[stunted_child.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    latest = Measurement.objects.filter(child=stunted_child).latest("measured_on")
    label = {"stunted": "Stunted", "severely_stunted": "Severely stunted"}[latest.length_for_age_category]
    assert f"TB/U: {label}" in html
    assert "Measurement history" in html and "Riwayat pengukuran" not in html


@pytest.mark.django_db
def test_child_page_is_audited(client, kec1_user, stunted_child):
    client.force_login(kec1_user)
    client.get(reverse("registry:child_detail", args=[stunted_child.pk]))
    event = AuditEvent.objects.get(action="view", object_id=str(stunted_child.pk))
    assert event.user == kec1_user and event.region_code == "64.74.01.1001"


@pytest.mark.django_db
def test_child_outside_scope_is_404_and_not_audited_as_view(client, kec2_user, stunted_child):
    client.force_login(kec2_user)
    assert client.get(reverse("registry:child_detail", args=[stunted_child.pk])).status_code == 404
    assert client.get(reverse("registry:person_edit", args=[stunted_child.pk])).status_code == 404
    assert client.get(reverse("registry:household_detail", args=[stunted_child.household_id])).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.django_db
def test_cadre_of_another_posyandu_gets_404(client, regions, stunted_child):
    from tumbuh.registry.testing import Role, make_user

    other = make_user("cadre2", Role.CADRE, posyandu=regions["pos2"])
    client.force_login(other)
    assert client.get(reverse("registry:child_detail", args=[stunted_child.pk])).status_code == 404


@pytest.mark.django_db
def test_unmeasured_child_page_still_renders_charts(client, kec1_user, child1):
    client.force_login(kec1_user)
    html = client.get(reverse("registry:child_detail", args=[child1.pk])).content.decode()
    assert 'id="chart-wfa"' in html and "Belum pernah diukur" in html
