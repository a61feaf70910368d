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
    assert response.context["counts"] == {"children": 3, "measured_this_month": 2, "stunted": 1, "measured_ever": 2}
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
