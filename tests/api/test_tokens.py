"""Per-user tokens: created on the account page, shown once, stored as a hash, revocable, audited."""

import hashlib
import re

from django.test import Client

from tumbuh.accounts.models import Role
from tumbuh.api.models import ApiToken
from tumbuh.audit.models import AuditEvent


def create(client, user, name="Dasbor Bappeda Rahasia"):
    client.force_login(user)
    response = client.post("/api/tokens/", {"name": name})
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'<code translate="no" style="word-break:break-all">(tmb_[^<]+)</code>', html).group(1)
    return key, html


def test_token_lifecycle_shown_once_hash_only_revocable_audited(world):
    kab = world.users[Role.KABUPATEN]
    browser = Client()
    key, html = create(browser, kab)
    assert "hanya ditampilkan sekali" in html
    token = ApiToken.objects.get(user=kab)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in token.key_hash
    assert token.prefix == key[:12]
    assert AuditEvent.objects.filter(user=kab, action="create", object_type="api.apitoken").exists()
    # Shown once: the list page never shows the key again.
    assert key not in browser.get("/api/tokens/").content.decode()

    machine = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = machine.get("/api/v1/measurements/")
    assert response.status_code == 200
    kab_sees = {m["child"] for m in response.json()["results"]}
    assert world.children["other_kecamatan"].pk in kab_sees and world.children["other_kabupaten"].pk not in kab_sees
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/measurements/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Revoked: refused from the next request on, and the refusal is audited (prefix only).
    assert browser.post("/api/tokens/", {"revoke": str(token.pk)}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(user=kab, action="delete", object_type="api.apitoken").exists()
    response = machine.get("/api/v1/measurements/")
    assert response.status_code == 401
    assert "dicabut" in response.json()["detail"]
    refused = AuditEvent.objects.filter(action="denied", object_type="api.apitoken").latest("at")
    assert refused.detail["prefix"] == key[:12] and key not in str(refused.detail)


def test_unknown_and_malformed_tokens_are_refused_and_audited(world):
    before = AuditEvent.objects.filter(action="denied").count()
    assert Client(HTTP_AUTHORIZATION="Token tmb_salah").get("/api/v1/measurements/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token a b").get("/api/v1/measurements/").status_code == 401
    assert AuditEvent.objects.filter(action="denied").count() == before + 2


def test_a_user_cannot_revoke_someone_else_s_token(world):
    cadre_browser, kab_browser = Client(), Client()
    create(kab_browser, world.users[Role.KABUPATEN])
    token = ApiToken.objects.get(user=world.users[Role.KABUPATEN])
    cadre_browser.force_login(world.users[Role.CADRE])
    assert cadre_browser.post("/api/tokens/", {"revoke": str(token.pk)}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Dasbor Bappeda Rahasia" not in cadre_browser.get("/api/tokens/").content.decode()


def test_a_deactivated_user_s_token_stops_working(world):
    cadre = world.users[Role.CADRE]
    key, _html = create(Client(), cadre)
    machine = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert machine.get(f"/api/v1/posyandu/{world.posyandu['mawar'].pk}/roster/").status_code == 200
    cadre.is_active = False
    cadre.save()
    assert machine.get(f"/api/v1/posyandu/{world.posyandu['mawar'].pk}/roster/").status_code == 401


def test_the_browser_session_needs_csrf_for_writes(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users[Role.CADRE])
    assert browser.get("/api/v1/measurements/").status_code == 200
    response = browser.post("/api/v1/measurements/bulk/", {"items": []}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.content.decode()
    browser.get("/api/tokens/")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/measurements/bulk/", {"items": []}, content_type="application/json",
                            HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200 and response.json() == {"results": []}
