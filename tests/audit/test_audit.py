"""The audit log: login events, who may read which events, and the filters on /audit/."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world, make_user
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.selectors import events_for
from tumbuh.audit.services import record

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def world():
    return build_world(with_measurements=False)


def test_login_is_recorded_with_the_users_region(client, world):
    user = world.users[Role.KECAMATAN]
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.user, event.username, event.region_code) == (user, user.username, "64.74.01")
    assert event.ip_address == "127.0.0.1"


def test_failed_login_is_recorded_without_the_password(client, world):
    response = client.post(reverse("accounts:login"), {"username": "kader_mawar", "password": "wrong-guess-123"})
    assert response.status_code == 200  # form shown again with an error
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.user is None and event.username == "kader_mawar"
    assert "wrong-guess-123" not in str(event.detail) + event.summary
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()


def test_inactive_user_cannot_log_in(client, world):
    user = world.users[Role.DESA]
    user.is_active = False
    user.save()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 1
    assert client.get(reverse("audit:list")).status_code == 302


def test_record_rejects_an_unknown_action(world):
    with pytest.raises(ValueError, match="unknown audit action"):
        record(world.users[Role.ADMIN], "peeked")


def test_record_takes_region_from_object_and_list_region_from_scope(world):
    user = world.users[Role.DESA]
    child = world.children["home"]
    ev = record(user, AuditEvent.Action.VIEW, obj=child, summary="x" * 400, detail={"on": dt.date(2024, 1, 2)})
    assert (ev.object_type, ev.object_id, ev.region_code) == ("registry.person", str(child.pk), child.desa_id)
    assert len(ev.summary) == 255
    ev.refresh_from_db()
    assert ev.detail == {"on": "2024-01-02"}  # dates survive JSON
    listing = record(user, AuditEvent.Action.VIEW_LIST, object_type="registry.person")
    assert listing.region_code == "64.74.01.1001"


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(rf, world, settings):
    admin = world.users[Role.ADMIN]
    settings.TUMBUH_TRUSTED_PROXIES = []
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")
    assert record(admin, AuditEvent.Action.EXPORT, request=spoofed).ip_address == "198.51.100.7"

    settings.TUMBUH_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    assert record(admin, AuditEvent.Action.EXPORT, request=proxied).ip_address == "203.0.113.9"
    # A client's own X-Forwarded-For entries stand left of the address the proxy saw.
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert record(admin, AuditEvent.Action.EXPORT, request=forged).ip_address == "203.0.113.9"
    garbage = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.1")
    assert record(admin, AuditEvent.Action.EXPORT, request=garbage).ip_address == "10.0.0.1"
    broken = rf.get("/", REMOTE_ADDR="not-an-ip")
    assert record(admin, AuditEvent.Action.EXPORT, request=broken).ip_address is None


# --- who reads what ----------------------------------------------------------------------------


@pytest.fixture
def events(world):
    """One event per corner of the world, by a user from that corner, plus the home users' own."""
    made = {}
    for key, child in world.children.items():
        made[key] = record(None, AuditEvent.Action.UPDATE, obj=child, summary=f"ev-{key}", username=f"u-{key}")
    kab_other = make_user("tpps_samarinda", Role.KABUPATEN, region=world.regions["64.72"])
    made["samarinda_export"] = record(kab_other, AuditEvent.Action.EXPORT, summary="ev-samarinda_export")
    for role, user in world.users.items():
        made[f"own-{role}"] = record(user, AuditEvent.Action.VIEW_LIST, region_code="", summary=f"ev-own-{role}")
    made["failed"] = record(None, AuditEvent.Action.LOGIN_FAILED, username="mallory", summary="ev-failed")
    return made


def summaries(user):
    return set(events_for(user).values_list("summary", flat=True))


def test_admin_reads_every_event(world, events):
    assert summaries(world.users[Role.ADMIN]) == {e.summary for e in events.values()}


@pytest.mark.parametrize(
    "role, corners",
    [
        (Role.DESA, {"home", "other_posyandu"}),
        (Role.KECAMATAN, {"home", "other_posyandu", "other_desa"}),
        (Role.KABUPATEN, {"home", "other_posyandu", "other_desa", "other_kecamatan"}),
        (Role.PROVINSI, {"home", "other_posyandu", "other_desa", "other_kecamatan", "other_kabupaten", "samarinda_export"}),
    ],
)
def test_region_teams_read_their_region_and_their_own(world, events, role, corners):
    # A list view without an object is filed under the viewer's scope, so the teams above see
    # their staff's list views: the desa team sees its cadre's and puskesmas officer's.
    staff_below = {
        Role.DESA: {Role.CADRE, Role.PUSKESMAS, Role.DESA},
        Role.KECAMATAN: {Role.CADRE, Role.PUSKESMAS, Role.DESA, Role.KECAMATAN},
        Role.KABUPATEN: {Role.CADRE, Role.PUSKESMAS, Role.DESA, Role.KECAMATAN, Role.KABUPATEN},
        Role.PROVINSI: {Role.CADRE, Role.PUSKESMAS, Role.DESA, Role.KECAMATAN, Role.KABUPATEN, Role.PROVINSI},
    }[role]
    expected = {f"ev-{c}" for c in corners} | {f"ev-own-{r}" for r in staff_below}
    assert summaries(world.users[role]) == expected


@pytest.mark.parametrize("role", [Role.CADRE, Role.PUSKESMAS])
def test_cadres_and_puskesmas_read_only_their_own(world, events, role):
    assert summaries(world.users[role]) == {f"ev-own-{role}"}


def test_user_without_scope_reads_nothing(world, events):
    from tumbuh.accounts.models import User

    assert summaries(User.objects.create(username="nobody", role=Role.CADRE)) == set()


# --- the page ----------------------------------------------------------------------------------


def test_audit_page_shows_only_readable_events_and_is_not_itself_audited(client, world, events):
    client.force_login(world.users[Role.KECAMATAN])
    before = AuditEvent.objects.count()
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "ev-other_desa" in body and "Bontang Baru" in body  # region name resolved
    for hidden in ("ev-other_kecamatan", "ev-other_kabupaten", "ev-samarinda_export", "ev-failed", "ev-own-kabupaten", "ev-own-admin"):
        assert hidden not in body
    assert AuditEvent.objects.count() == before


def test_user_filter_only_offers_users_whose_events_are_readable(client, world, events):
    client.force_login(world.users[Role.KECAMATAN])
    form = client.get(reverse("audit:list")).context["filter"].form
    offered = {u.username for u in form.fields["user"].queryset}
    assert "tpps_samarinda" not in offered and "admin_tumbuh" not in offered
    assert "tpps_kecamatan" in offered


def test_filters_action_user_object_type_and_dates(client, world, events):
    admin = world.users[Role.ADMIN]
    client.force_login(admin)
    url = reverse("audit:list")

    def shown(**params):
        return {e.summary for e in client.get(url, params).context["events"]}

    assert shown(action="export") == {"ev-samarinda_export"}
    assert shown(user=world.users[Role.DESA].pk) == {"ev-own-desa"}
    assert shown(object_type="registry.person") == {f"ev-{k}" for k in world.children}
    old = events["home"]
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert "ev-home" not in shown(date_from=week_ago)
    assert shown(date_to=(timezone.localdate() - dt.timedelta(days=30)).isoformat()) == {"ev-home"}


def test_invalid_filter_is_reported_not_a_crash(client, world, events):
    client.force_login(world.users[Role.ADMIN])
    response = client.get(reverse("audit:list"), {"action": "nonsense", "date_from": "31-31-2024"})
    assert response.status_code == 200
    assert response.context["invalid"]


def test_pagination_and_htmx_partial(client, world):
    admin = world.users[Role.ADMIN]
    AuditEvent.objects.bulk_create(
        AuditEvent(username="bulk", action=AuditEvent.Action.VIEW_LIST, summary=f"bulk-{i}") for i in range(120)
    )
    client.force_login(admin)
    first = client.get(reverse("audit:list"), {"action": "view_list"})
    assert len(first.context["events"]) == 50 and first.context["page"].paginator.num_pages == 3
    assert "action=view_list&amp;page=2" in first.content.decode()
    third = client.get(reverse("audit:list"), {"action": "view_list", "page": 3})
    assert len(third.context["events"]) == 20
    partial = client.get(reverse("audit:list"), {"page": 2}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"<table" in partial.content


def test_audit_page_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    AuditEvent.objects.bulk_create(
        AuditEvent(username="bulk", action=AuditEvent.Action.VIEW, region_code="64.74.01.1001", summary=str(i))
        for i in range(50)
    )
    client.force_login(world.users[Role.ADMIN])
    with django_assert_max_num_queries(12):
        client.get(reverse("audit:list"))


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_audit_page_speaks_indonesian_first(client, world, events):
    client.force_login(world.users[Role.ADMIN])
    body = client.get(reverse("audit:list")).content.decode()
    assert "Log audit" in body and "mengekspor" in body and "Jenis objek" in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("audit:list")).content.decode()
    assert "Audit log" in body and "exported" in body
