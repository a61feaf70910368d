"""A NUL character in a request parameter is a 400, never a 500 (PostgreSQL refuses NUL in strings).

Found by the fuzz test on PostgreSQL: `/indicators/?region=<text with \\x00>` reached
`Region.objects.filter(code=...)` and psycopg raised ValueError. SQLite accepts the string, so
this test asserts the refusal itself, which holds on both databases.
"""

import pytest
from django.test import Client

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.registry.models import Person


@pytest.fixture
def world(db):
    return build_world()


def _client(world, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("query", [{"region": "\x00"}, {"region": "64\x0074"}, {"q\x00": "x"}])
def test_nul_in_a_query_parameter_is_refused_in_indonesian(world, query):
    response = _client(world, Role.KABUPATEN).get("/indicators/", query)
    assert response.status_code == 400
    assert "Permintaan tidak sah" in response.content.decode()


def test_the_same_page_without_nul_still_opens(world):
    assert _client(world, Role.KABUPATEN).get("/indicators/", {"region": "6474"}).status_code == 200


def test_nul_in_a_posted_form_changes_nothing(world):
    client = _client(world, Role.KABUPATEN)
    before = Person.objects.count()
    response = client.post("/registry/children/new/", {"name": "Anak\x00", "sex": "L"})
    assert response.status_code == 400
    assert Person.objects.count() == before


def test_the_api_answers_a_nul_in_json(world):
    # The API's schema documents JSON answers (Schemathesis checks the content type).
    response = _client(world, Role.KABUPATEN).get("/api/v1/commitments/", {"region": "\x00"})
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "NUL" in response.json()["detail"]


def test_the_api_strips_control_characters_from_json_bodies():
    from tumbuh.api.parsers import _clean

    body = {"items": [{"name": "\x02¥\x04", "note": "a\tb\nc", "n": 3, "nested": {"k\x1f": ["x\x7fy"]}}]}
    assert _clean(body) == {"items": [{"name": "¥", "note": "a\tb\nc", "n": 3, "nested": {"k": ["xy"]}}]}
