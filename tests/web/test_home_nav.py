"""Home counts per scope, and navigation links that only appear when their views exist."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tumbuh.measurements.derivation import recompute_children
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_person


@pytest.mark.django_db
def test_home_counts_follow_scope(client, kec1_user, kec2_user, regions):
    today = timezone.localdate()
    d1 = regions["desa1"]
    stunted = make_person(name="A", sex="M", birth_date=today - dt.timedelta(days=400), desa=d1)
    normal = make_person(name="B", sex="F", birth_date=today - dt.timedelta(days=400), desa=d1)
    make_person(name="C", sex="F", birth_date=today - dt.timedelta(days=100), desa=d1)
    make_person(name="D", sex="F", birth_date=today - dt.timedelta(days=100), desa=regions["desa2"])
    for child, weight, length in [(stunted, 8.0, 66.0), (normal, 9.2, 75.0)]:
        Measurement.objects.create(child=child, measured_on=today, weight_kg=weight, length_cm=length,
                                   position="l", desa=d1)
    recompute_children([stunted.pk, normal.pk])
    client.force_login(kec1_user)
    response = client.get(reverse("web:home"))
    counts = response.context["counts"]
    assert {k: counts[k] for k in ("children", "measured_this_month", "stunted", "measured_ever", "valid_latest")} \
        == {"children": 3, "measured_this_month": 2, "stunted": 1, "measured_ever": 2, "valid_latest": 2}
    html = response.content.decode()
    assert 'id="kpi-children">3<' in html and "Balita" in html and "BONTANG UTARA" in html
    client.force_login(kec2_user)
    assert client.get(reverse("web:home")).context["counts"]["children"] == 1


def _render_nav(name):
    request = RequestFactory().get("/registry/children/")
    return Template("{% load tumbuh_web %}{% nav_link name 'Label' %}").render(Context({"request": request, "name": name}))


def test_nav_link_renders_nothing_for_missing_view():
    assert _render_nav("analytics:nonexistent_view") == ""
    assert _render_nav("nope:nothing") == ""


def test_nav_link_marks_current_page():
    html = _render_nav("registry:child_list")
    assert html == '<a href="/registry/children/" aria-current="page">Label</a>'


@pytest.mark.django_db
def test_nav_in_page_has_children_link(client, kec1_user):
    client.force_login(kec1_user)
    html = client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("registry:child_list")}"' in html


@pytest.mark.django_db
def test_home_on_the_2nd_shows_the_last_complete_month_and_says_what_it_counts(client, kec1_user, regions,
                                                                               monkeypatch):
    """Issue 8 item 3: not "Diukur pada Desember 2026 · 0%" on 2 December; the stunting card says it
    counts the latest measurement ever, over children with a valid TB/U, as a percentage."""
    from tumbuh.web import views

    today = dt.date(2026, 12, 2)
    monkeypatch.setattr(views, "_today", lambda: today)
    d1 = regions["desa1"]
    kids = [make_person(name=f"K{i}", sex="M", birth_date=dt.date(2025, 10, 1), desa=d1) for i in range(4)]
    for i, child in enumerate(kids[:3]):
        Measurement.objects.create(child=child, measured_on=dt.date(2026, 11, 10), weight_kg=8.0,
                                   length_cm=66.0 if i == 0 else 75.0, position="l", desa=d1)
    recompute_children([k.pk for k in kids])
    client.force_login(kec1_user)
    html = client.get(reverse("web:home")).content.decode()
    assert "Desember 2026 · 0%" not in html
    assert 'id="kpi-measured">3<' in html and "Diukur pada November 2026 · 75,0%" in html
    assert "Desember 2026 sejauh ini (bulan berjalan): 0" in html
    assert "Stunting pada pengukuran terakhir (tanggal berapa pun) · 33,3% dari yang TB/U-nya sah" in html
    assert "Dasbor dan daftar BNBA menghitung pengukuran terakhir tiap anak dalam periode" in html


@pytest.mark.django_db
def test_cadres_are_not_offered_an_import_they_would_be_refused(client, cadre1, kec1_user):
    """The importer refuses cadres (one posyandu's scope cannot match a desa file), so neither the
    menu nor the home page offers it to them; a kecamatan team still gets both."""
    upload = reverse("imports:upload")
    client.force_login(cadre1)
    assert f'href="{upload}"' not in client.get(reverse("web:home")).content.decode()
    client.force_login(kec1_user)
    assert client.get(reverse("web:home")).content.decode().count(f'href="{upload}"') == 2
