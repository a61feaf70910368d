"""The demo's deliveries: several OPDs, a CSR partner, two foster parents, realistic gaps, plans,
and the OPD officer's demo account."""

import pytest

from tumbuh.accounts.models import Role, User
from tumbuh.coordination.models import Agency
from tumbuh.interventions import selectors
from tumbuh.interventions.models import Course, Delivery, Plan, Pledge
from tumbuh.web.testing import build_demo


@pytest.fixture
def demo(db):
    return build_demo()


def test_demo_deliveries_come_from_several_agencies_with_gaps_and_an_opd_officer(demo):
    assert demo.interventions["deliveries"] == Delivery.objects.count() > 0
    agencies = set(Delivery.objects.values_list("agency__code", flat=True))
    assert {"DINKES", "DPPKB", "CSR-ENERGI", "OTA-01", "OTA-02"} <= agencies
    assert {"VIT-A", "PMT-BALITA", "KIE-PENGASUHAN", "BAAS"} <= set(Delivery.objects.values_list("code", flat=True))
    kinds = dict(Agency.objects.filter(code__in=["CSR-ENERGI", "OTA-01"]).values_list("code", "kind"))
    assert kinds == {"CSR-ENERGI": "perusahaan", "OTA-01": "orang_tua_asuh"}
    # Gaps: not every child under five had vitamin A in the latest round, not every course is complete.
    vita_children = Delivery.objects.filter(code="VIT-A").values("person_id").distinct().count()
    assert 0 < vita_children < demo.children
    assert Course.objects.exists() and Pledge.objects.count() <= 16
    assert Plan.objects.filter(code="VIT-A").exists()
    # Every delivery lies in the demo kota and no later than today.
    assert not Delivery.objects.exclude(desa__code__startswith="64.74.").exists()
    # The OPD officer's demo account sees DINKES items only.
    officer = User.objects.get(role=Role.OPD)
    assert officer.username == "opd.dinkes.bontang" and officer.agency.code == "DINKES"
    codes = set(selectors.deliveries_for(officer).values_list("code", flat=True))
    assert codes and codes <= set(selectors.opd_codes(officer)) and "KIE-PENGASUHAN" not in codes
