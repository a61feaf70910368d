"""Schemathesis fuzzes every operation of the OpenAPI schema (/api/schema/) through the real WSGI
stack, as a kabupaten user with a token over the scoping matrix's world: no answer may be a 500,
and every answer (status code, content type, body) must match the schema.

Run in CI as its own step (.ci/run), not inside `make test`:
    TUMBUH_FUZZ=1 .venv/bin/pytest -q tests/api/test_schemathesis.py
TUMBUH_FUZZ_EXAMPLES sets the examples per operation and mode (default 10: the step stays under
3 minutes on the shared CI machine)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import build_world
from tumbuh.api.services import create_token

EXAMPLES = int(os.environ.get("TUMBUH_FUZZ_EXAMPLES", "10"))
pytestmark = pytest.mark.skipif(os.environ.get("TUMBUH_FUZZ") != "1",
                                reason="the API fuzzing is its own CI step: TUMBUH_FUZZ=1 (.ci/run)")


def checks():
    """No 500s; status codes, content types, headers and bodies as the schema says. (Not the
    "positive/negative data acceptance" checks: per-item results answer 200 for items the schema
    would call invalid, by design.)"""
    from schemathesis.checks import load_all_checks
    from schemathesis.specs.openapi import checks as oa

    load_all_checks()
    from schemathesis.checks import not_a_server_error

    return [not_a_server_error, oa.status_code_conformance, oa.content_type_conformance,
            oa.response_schema_conformance, oa.response_headers_conformance]


@pytest.fixture
def fuzz_world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TUMBUH_API_RATES = {"anon": "100000/minute", "user": "100000/minute", "bulk": "100000/minute"}
    world = build_world()
    _token, key = create_token(world.users[Role.KABUPATEN], "schemathesis")
    # The WSGI handler would close the test's connection (and its transaction) after each request,
    # as Django's own test client prevents for its requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield world, key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_matches_its_schema_and_never_fails(fuzz_world):
    """Each operation of the schema, fuzzed (positive and negative data) with hypothesis."""
    from hypothesis import given
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation.modes import GenerationMode

    _world, key = fuzz_world
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    chosen = checks()
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def fuzz(case):
                case.call_and_validate(headers=headers, checks=chosen)

            try:
                fuzz()
            except Unsatisfiable:
                continue  # no negative data for a free-form path parameter: nothing to fuzz
            except Exception as exc:  # noqa: BLE001 - collected and reported together below
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"[:1500])
    assert operations >= 25, operations
    assert not failures, "\n\n".join(failures)
