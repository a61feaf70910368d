"""Outcome beside coverage (pure and read), and the pages: rendering, audit, xlsx, forms, OPD."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Role
from tumbuh.accounts.scoping import scope_for
from tumbuh.analytics.testing import build_area, make_child, make_user, measure
from tumbuh.audit.models import AuditEvent
from tumbuh.indicators import outcomes, selectors
from tumbuh.indicators.models import DanaDesa, LocalTarget, LokusDesa
from tumbuh.indicators.outcomes import MeasurementRow
from tumbuh.indicators.testing import deliver

D = dt.date
AS_OF = D(2026, 11, 30)


def m(child, on, haz=None, whz=None, waz=None, age=400, flag=False):
    return MeasurementRow(child, on, age, haz, flag, whz, False, waz, False)


def test_outcome_counts_improved_by_pmt():
    base_from, base_to, follow_from = D(2026, 4, 30), D(2026, 6, 30), D(2026, 9, 30)
    rows = [m(1, D(2026, 5, 15), haz=-2.5, waz=-2.2), m(1, D(2026, 11, 1), haz=-1.9, waz=-2.1),  # PMT, stunting better
            m(2, D(2026, 5, 15), haz=-2.5), m(2, D(2026, 11, 1), haz=-2.6),  # no PMT, still stunted
            m(3, D(2026, 6, 1), whz=-2.5),  # no follow-up
            m(4, D(2026, 5, 1), haz=-3.0, flag=True), m(4, D(2026, 11, 1), haz=-1.0),  # flagged at baseline
            m(5, D(2026, 5, 1), haz=-2.5, age=1830), m(5, D(2026, 11, 1), haz=-1.0)]  # five years old
    r = outcomes.report(rows, base_from, base_to, follow_from, AS_OF, {1: [D(2026, 4, 20)]})
    stunted, wasted, under = r.conditions
    assert r.split == "pmt"
    assert (stunted.at_baseline, stunted.received.improved, stunted.received.followed) == (2, 1, 1)
    assert (stunted.not_received.improved, stunted.not_received.followed) == (0, 1)
    assert (wasted.at_baseline, wasted.no_follow_up) == (1, 1)
    assert (under.received.followed, under.received.improved) == (1, 0)
    split = outcomes.report(rows, base_from, base_to, follow_from, AS_OF, {}, completeness={2: True})
    assert split.split == "completeness" and split.conditions[0].received.followed == 1
    assert "regression to the mean" in r.caveat


@pytest.fixture
def area(db):
    return build_area()


def test_outcome_read_scoped(area):
    kid = make_child(area["kuala"], area["pos_kuala"], born=D(2025, 1, 1))
    measure(kid, D(2026, 5, 20), haz=-2.6, whz=-1, waz=-1)
    measure(kid, D(2026, 11, 10), haz=-1.8, whz=-1, waz=-1)
    deliver("PMT-BALITA", D(2026, 6, 1), person=kid)
    kota = scope_for(make_user(Role.KABUPATEN, region=area["kota"]))
    r = selectors.outcome_report(kota, "64.74", AS_OF)
    stunted = r.conditions[0]
    assert stunted.at_baseline == 1 and stunted.received.improved + stunted.not_received.improved == 1
    # The convergence context is installed: the split is its complete package (no Completeness row
    # for this hand-built child: not complete), else PMT received.
    assert r.split == "completeness" and stunted.not_received.improved == 1
    other = scope_for(make_user(Role.DESA, region=area["tanjung"]))
    assert selectors.outcome_report(other, "64.74", AS_OF).conditions[0].at_baseline == 0


def test_pages_render_and_audit_personal_lists(client, area):
    kid = make_child(area["kuala"], area["pos_kuala"], born=D(2026, 1, 1), name="Putri Skor")
    measure(kid, D(2026, 5, 10), haz=-2.5, whz=0)
    user = make_user(Role.DESA, region=area["kuala"])
    client.force_login(user)
    url = reverse("indicators:scorecard")
    r = client.get(url, {"period": "2026-Q2"})
    assert r.status_code == 200 and "Putri Skor" in r.content.decode()
    assert AuditEvent.objects.filter(user=user, action="view_list", object_type="indicators.scorecard").count() == 1
    x = client.get(url, {"period": "2026-Q2", "format": "xlsx"})
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = zipfile.ZipFile(io.BytesIO(x.content)).namelist()
    assert sum(1 for n in sheets if n.startswith("xl/worksheets/sheet")) == 5  # level, items, targets, 2 people
    assert AuditEvent.objects.filter(user=user, action="export", object_type="indicators.scorecard").count() == 1
    assert client.get(url, {"period": "2026-Q2", "print": "1"}).status_code == 200
    assert client.get(reverse("indicators:scorecard_trend"), {"period": "2026-Q2"}).status_code == 200
    for name in ("indicators:ranpasti", "indicators:outcome", "indicators:settings"):
        assert client.get(reverse(name)).status_code == 200


def test_kota_page_has_no_names_and_opd_sees_nothing(client, area):
    make_child(area["kuala"], area["pos_kuala"], born=D(2026, 1, 1), name="Putri Skor")
    kota = make_user(Role.KABUPATEN, region=area["kota"])
    client.force_login(kota)
    body = client.get(reverse("indicators:scorecard"), {"period": "2026-Q2"}).content.decode()
    assert "Putri Skor" not in body and "Bontang Kuala" in body
    assert not AuditEvent.objects.filter(object_type="indicators.scorecard").exists()
    opd = make_user(Role.OPD, region=area["kota"])
    client.force_login(opd)
    body = client.get(reverse("indicators:scorecard"), {"period": "2026-Q2", "region": "64.74"}).content.decode()
    assert "Bontang Kuala" not in body


def test_settings_forms_by_role(client, area):
    kota = make_user(Role.KABUPATEN, region=area["kota"])
    client.force_login(kota)
    url = reverse("indicators:settings")
    r = client.post(url, {"form": "dana", "d-desa": "64.74.01.1001", "d-year": "2026", "d-total": "Rp 1.200.000.000",
                          "d-stunting": "150.000.000"})
    assert r.status_code == 302
    dana = DanaDesa.objects.get()
    assert dana.share == 12.5
    client.post(url, {"form": "lokus", "l-desa": "64.74.02.1001", "l-year": "2026", "l-lokus": "on"})
    client.post(url, {"form": "target", "t-region": "64.74", "t-indicator": "krs_pendampingan", "t-year": "2026",
                      "t-target_percent": "92,5", "t-source": "RPJMD"})
    assert LokusDesa.objects.filter(desa_id="64.74.02.1001").exists()
    assert float(LocalTarget.objects.get().target_percent) == 92.5
    assert AuditEvent.objects.filter(user=kota, object_type__startswith="indicators.").count() == 3
    # More stunting than received is refused; a desa team cannot set lokus.
    client.post(url, {"form": "dana", "d-desa": "64.74.01.1001", "d-year": "2026", "d-total": "100",
                      "d-stunting": "200"})
    assert DanaDesa.objects.get().total == 1_200_000_000
    desa = make_user(Role.DESA, region=area["kuala"])
    client.force_login(desa)
    client.post(url, {"form": "lokus", "l-desa": "64.74.01.1001", "l-year": "2026", "l-lokus": "on"})
    assert not LokusDesa.objects.filter(desa_id="64.74.01.1001").exists()
    r = client.post(url, {"form": "dana", "d-desa": "64.74.02.1001", "d-year": "2026", "d-total": "100",
                          "d-stunting": "10"})  # another desa: not offered
    assert r.status_code == 200 and DanaDesa.objects.count() == 1
