"""Times in the user's own region's zone: WIB, WITA or WIT by province (Keppres 41/1987)."""

import csv
import datetime as dt

import pytest
from django.conf import settings

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world, make_user
from tumbuh.audit.models import AuditEvent
from tumbuh.regions.models import Region
from tumbuh.web.timezones import province_zones, zone_for_region

# 06:05 UTC on 2 December 2026
AT = dt.datetime(2026, 12, 2, 6, 5, 30, tzinfo=dt.UTC)


def test_every_province_of_the_code_list_has_its_zone():
    path = settings.REGION_DATA_DIR / "provinces.csv"
    with path.open(encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    assert set(province_zones()) == codes
    expected = {
        "11": "WIB", "31": "WIB", "32": "WIB", "36": "WIB", "61": "WIB", "62": "WIB",  # Sumatra, Java, W/C Kalimantan
        "51": "WITA", "52": "WITA", "53": "WITA", "63": "WITA", "64": "WITA", "65": "WITA",
        "71": "WITA", "73": "WITA", "75": "WITA", "76": "WITA",
        "81": "WIT", "82": "WIT", "91": "WIT", "92": "WIT", "94": "WIT", "96": "WIT",
    }
    for code, zone in expected.items():
        assert AT.astimezone(zone_for_region(code)).tzname() == zone, code
    assert AT.astimezone(zone_for_region("64.74")).strftime("%H.%M %Z") == "14.05 WITA"  # Bontang
    assert zone_for_region(None).key == settings.TIME_ZONE == "Asia/Jakarta"
    assert zone_for_region("99").key == "Asia/Jakarta"


@pytest.fixture
def world(db):
    return build_world(with_measurements=False)


def audit_time_seen_by(client, user) -> str:
    AuditEvent.objects.create(action="login", username="someone", summary="zzz-marker", region_code="64.74.01.1001")
    AuditEvent.objects.filter(summary="zzz-marker").update(at=AT)
    client.force_login(user)
    html = client.get("/audit/").content.decode()
    row = html[html.index("zzz-marker") - 600: html.index("zzz-marker")]
    return row


@pytest.mark.parametrize("role", [Role.KABUPATEN, Role.KECAMATAN])
def test_bontang_teams_read_the_audit_log_in_wita(client, world, role):
    assert "02-12-2026 14.05.30 WITA" in audit_time_seen_by(client, world.users[role])


def test_zone_follows_the_users_region_for_every_kind_of_user(rf, world):
    from django.http import HttpResponse
    from django.utils import timezone

    from tumbuh.web.middleware import RegionTimezoneMiddleware

    seen = {}

    def view(request):
        seen[request.user.username] = timezone.localtime(AT).strftime("%H.%M %Z")
        return HttpResponse()

    middleware = RegionTimezoneMiddleware(view)
    Region.objects.create(code="32", name="Jawa Barat", level="provinsi")
    Region.objects.create(code="91", name="Papua", level="provinsi")
    java = make_user("tpps_jabar", Role.PROVINSI, region=Region.objects.get(code="32"))
    papua = make_user("tpps_papua", Role.PROVINSI, region=Region.objects.get(code="91"))
    for user in [*world.users.values(), java, papua]:
        request = rf.get("/")
        request.user = user
        middleware(request)
    assert seen["kader_mawar"] == "14.05 WITA"  # through the posyandu's desa
    assert seen["gizi_bu1"] == "14.05 WITA"  # through the puskesmas' kecamatan
    assert seen["tpps_provinsi"] == seen["tpps_kabupaten"] == seen["tpps_desa"] == "14.05 WITA"
    assert seen["tpps_jabar"] == "13.05 WIB"
    assert seen["tpps_papua"] == "15.05 WIT"
    assert seen["admin_tumbuh"] == "13.05 WIB"  # no region: the server default
    assert timezone.get_current_timezone().key == settings.TIME_ZONE  # deactivated after the request
