"""Child page on a 390 px phone: badges stay inside their card, a chart opens large, the age
axis fits the child (issue 8, items 16-17). Run with `.venv/bin/pytest tests/web -m browser`."""

import datetime as dt

import pytest
from django.utils import timezone

from tumbuh.measurements.derivation import recompute_children
from tumbuh.measurements.models import Measurement
from tumbuh.registry.testing import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badges_fit_their_card_and_a_chart_opens_large(new_page, live_server, login, shot, kec1_user, regions):
    born = timezone.localdate() - dt.timedelta(days=340)
    child = make_person(name="Citra Badge", sex="F", birth_date=born, desa=regions["desa1"], posyandu=regions["pos1"])
    child.birth_weight_kg, child.birth_length_cm = 3.1, 49.0
    child.save()
    for days, w, length in [(200, 6.9, 64.0), (270, 7.6, 67.5)]:  # no weighing in between: "O"
        Measurement.objects.create(child=child, measured_on=born + dt.timedelta(days=days), weight_kg=w,
                                   length_cm=length, position="l", desa=regions["desa1"])
    recompute_children([child.pk])
    assert Measurement.objects.order_by("measured_on").last().weight_gain == "O"

    page = new_page(width=390, height=844, mobile=True)
    login(page, live_server, "kec1", "pw-test-123")
    page.goto(f"{live_server.url}/registry/children/{child.pk}/")
    card = page.locator("section[aria-labelledby=status-h]").bounding_box()
    badges = page.locator("section[aria-labelledby=status-h] .badge")
    assert page.locator('.badge[data-code="O"]').count() == 1
    for i in range(badges.count()):
        box = badges.nth(i).bounding_box()
        assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"] + 0.5, \
            badges.nth(i).inner_text()
    # Birth to 12 months on the age axis; the birth point is drawn.
    assert page.locator("svg#chart-wfa g.child circle.birth").count() == 1
    assert page.locator("svg#chart-wfa .tick-label").filter(has_text="12").count() >= 1
    shot(page, "child-page-phone")

    page.set_viewport_size({"width": 1366, "height": 900})
    assert not page.locator("#chart-lhfa-large").is_visible()
    page.click('a[href="#chart-lhfa-large"]')
    big = page.locator("svg#chart-lhfa-big")
    big.wait_for(state="visible")
    assert big.bounding_box()["width"] > 900
    shot(page, "child-page-chart-large")
    page.click("#chart-lhfa-large .chart-close")
    assert not page.locator("#chart-lhfa-large").is_visible()
