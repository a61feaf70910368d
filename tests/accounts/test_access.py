"""Deny by default: the middleware, the markers, the admin gate, the language switch."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path
from django.views import View

from tumbuh.accounts import access
from tumbuh.accounts.access import public, region_safe
from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world

pytestmark = pytest.mark.django_db


def unmarked(request):
    return HttpResponse("secret list")


@public
def open_page(request):
    return HttpResponse("login page")


@region_safe
def marked(request):
    return HttpResponse("scoped list")


@region_safe
class MarkedClass(View):
    def get(self, request):
        return HttpResponse("scoped class")


class UnmarkedClass(View):
    def get(self, request):
        return HttpResponse("secret class")


class Urls:
    """A urlconf object: Django accepts any object with `urlpatterns`."""

    urlpatterns = [
        path("unmarked/", unmarked),
        path("marked/", marked),
        path("marked-class/", MarkedClass.as_view()),
        path("marked-as-view/", region_safe(UnmarkedClass.as_view())),
        path("unmarked-class/", UnmarkedClass.as_view()),
        path("open/", open_page),
        path("accounts/", include("tumbuh.accounts.urls")),
    ]


@pytest.fixture
def world():
    return build_world(with_measurements=False)


@override_settings(ROOT_URLCONF=Urls)
@pytest.mark.parametrize(
    "url, status", [
        ("/unmarked/", 403), ("/unmarked-class/", 403), ("/marked/", 200),
        ("/marked-class/", 200), ("/marked-as-view/", 200), ("/open/", 200),
    ],
)
def test_unmarked_views_are_refused_even_to_admins(client, world, url, status):
    client.force_login(world.users[Role.ADMIN])
    assert client.get(url).status_code == status


@override_settings(ROOT_URLCONF=Urls)
def test_anonymous_is_redirected_from_everything_not_public(client):
    for url in ("/unmarked/", "/marked/", "/marked-class/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/?next=" in response["Location"]
    assert client.get("/open/").status_code == 200


def test_classify():
    assert access.classify(unmarked) is None
    assert access.classify(marked) == access.REGION_SAFE
    assert access.classify(MarkedClass.as_view()) == access.REGION_SAFE
    assert access.classify(open_page) == access.PUBLIC
    from django.views.i18n import set_language

    assert access.classify(set_language) == access.PUBLIC
    assert access.classify(unmarked, ["admin"]) == access.ADMIN


def test_language_switch_works_for_anonymous_and_users(client, world):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    client.force_login(world.users[Role.CADRE])
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/accounts/me/"})
    assert response.status_code == 302


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_admin_site_refuses_non_admins(client, world, role):
    client.force_login(world.users[role])
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_admin_site_works_for_admins(client, world):
    admin = world.users[Role.ADMIN]
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200 and b"kader_mawar" in page.content
    assert client.get(f"/admin/accounts/user/{admin.pk}/change/").status_code == 200
    # UserAdmin's own view lives in django.contrib.auth.admin: still recognised as admin.
    assert client.get(f"/admin/accounts/user/{admin.pk}/password/").status_code == 200
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403  # the log is read-only


def test_anonymous_admin_goes_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@override_settings(ROOT_URLCONF=Urls)
def test_refusals_are_audited(client, world):
    from tumbuh.audit.models import AuditEvent

    user = world.users[Role.KECAMATAN]
    client.force_login(user)
    client.get("/unmarked/")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (event.user, event.summary, event.detail["reason"]) == (user, "/unmarked/", "unmarked view")
    assert event.region_code == "64.74.01"  # so the kecamatan's own log shows it
