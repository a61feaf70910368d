"""The scoping matrix: every role x every URL in the project.

Structural, so it picks up views added later without anyone editing this file:

(a) every view must be marked `region_safe` or `public` (or be a Django admin view, which only
    administrators reach) — a view added without the marker fails here;
(b) a URL whose kwargs identify a child, person, measurement, posyandu or household is requested,
    GET and POST, with the ids of objects the role must not see: the answer is 403, 404 or a
    redirect to the login page, never the data, and nothing is changed;
(c) a URL without such kwargs is requested as each role, plainly and with probing query
    parameters (a search for the outsiders' surname, another region's code, another posyandu's
    id): the body — including inside xlsx/zip downloads — never names an outsider child or shows
    their NIK or KK number. 400 for a missing parameter is fine; 500 is a failure.

The world (tumbuh.accounts.testing) has one child in each corner: same desa but another posyandu,
the next desa, the next kecamatan, the next kabupaten, the next province; the expected visibility
of each child per role is written out there, not derived from the code under test.

A leak found in someone else's view is marked in KNOWN_LEAKS (strict xfail) and reported, not
patched here.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tumbuh.accounts import access
from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import CHILDREN, EXPECTED_VISIBLE, build_world

LOGIN_PATH = "/accounts/login/"
ROLES = ["anonymous", *Role.values]

# Which model a kwarg name identifies. "pk"/"id" could be any of them: the world's primary keys
# are disjoint across models, so probing with every outsider id is unambiguous.
PERSON_KWARGS = {"child_id", "person_id", "mother_id", "child_pk", "person_pk", "child", "person"}
IDENTIFYING = {
    "person": PERSON_KWARGS,
    "measurement": {"measurement_id", "measurement_pk", "measurement"},
    "posyandu": {"posyandu_id", "posyandu_pk", "posyandu"},
    "household": {"household_id", "household_pk", "household"},
    "any": {"pk", "id", "object_id",
            # coordination (tumbuh/coordination/urls.py): probed with every outsider id, must be 403/404
            "aksi_id", "evidence_id", "meeting_id", "commitment_id", "assessment_id", "case_id"},
}
REGION_KWARGS = {"code", "region", "region_code", "desa", "desa_code", "kecamatan", "kabupaten", "provinsi"}

# (role, url name) -> reason. Strict: when the owner fixes the view, the xfail turns into a failure
# and the entry must be removed.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


# --- walking the resolver ----------------------------------------------------------------------


@dataclass
class Entry:
    route: str  # readable, e.g. "registry/children/<int:pk>/"
    name: str  # "registry:child_detail" or the route when unnamed
    callback: object
    namespaces: tuple[str, ...]
    parts: list = field(default_factory=list)  # the pattern objects, outermost first

    @property
    def kwargs(self) -> dict[str, object]:
        """kwarg name -> converter (None for regex groups)."""
        found: dict[str, object] = {}
        for part in self.parts:
            if isinstance(part, RoutePattern):
                found.update(part.converters)
            elif isinstance(part, RegexPattern):
                found.update({k: None for k in part.regex.groupindex})
        return found

    @property
    def is_admin(self) -> bool:
        return "admin" in self.namespaces

    def url(self, values: dict[str, object]) -> str:
        out = "/"
        for part in self.parts:
            if isinstance(part, RoutePattern):
                text = str(part)

                def sub(m, converters=part.converters):
                    return converters[m.group("name")].to_url(values[m.group("name")])

                out += re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", sub, text)
            else:
                text = part.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
                text = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", lambda m: str(values[m.group("name")]), text)
                out += text.replace("\\", "")
        return out


def walk(patterns, parts=(), namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from walk(p.url_patterns, (*parts, p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = "".join(str(x) for x in (*parts, p.pattern))
            name = ":".join((*namespaces, p.name)) if p.name else route
            yield Entry(route, name, p.callback, namespaces, [*parts, p.pattern])


def collect() -> tuple[list[Entry], str | None]:
    try:
        return list(walk(get_resolver().url_patterns)), None
    except Exception as exc:  # someone's urls.py or views.py does not import right now
        return [], f"{type(exc).__name__}: {exc}"


ENTRIES, COLLECT_ERROR = collect()


def entry_params():
    if COLLECT_ERROR:
        return [pytest.param(None, id="urlconf-import-error")]
    return [pytest.param(e, id=e.name) for e in ENTRIES]


def matrix_params():
    if COLLECT_ERROR:
        return [pytest.param("anonymous", None, id="urlconf-import-error")]
    params = []
    for entry in ENTRIES:
        for role in ROLES:
            marks = []
            reason = KNOWN_LEAKS.get((role, entry.name))
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            params.append(pytest.param(role, entry, id=f"{role}-{entry.name}", marks=marks))
    return params


# --- what a role must never see ----------------------------------------------------------------


def outsiders(world, role: str) -> list[str]:
    """Keys of children the role must not see, nearest first."""
    visible = EXPECTED_VISIBLE.get(role, set())
    return [k for k in CHILDREN if k not in visible]


def forbidden_texts(world, role: str) -> list[str]:
    texts = []
    for key in outsiders(world, role):
        child = world.children[key]
        texts += [child.name, child.nik, world.households[key].kk_number]
    return texts


def body_text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    chunks = [raw]
    if raw[:2] == b"PK":  # xlsx, zip: names sit inside compressed XML
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                chunks = [archive.read(n) for n in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    return "\n".join(c.decode("utf-8", "replace") for c in chunks)


def leaks_in(response, world, role) -> list[str]:
    text = body_text(response)
    return [t for t in forbidden_texts(world, role) if t and t in text]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)


def kind_of(kwarg: str) -> str | None:
    for kind, names in IDENTIFYING.items():
        if kwarg in names:
            return kind
    return None


def benign_value(converter) -> object:
    name = type(converter).__name__ if converter is not None else ""
    if name == "IntConverter":
        return 1
    if name == "UUIDConverter":
        import uuid

        return uuid.UUID(int=1)
    return "accounts" if converter is None else "x"


def home_value(world, kind: str, converter) -> object:
    """An id the role may see, for the kwargs not under probe."""
    home = "home"
    return {
        "person": world.children[home].pk,
        "measurement": world.measurements[home][0].pk,
        "posyandu": world.children[home].posyandu_id,
        "household": world.households[home].pk,
        "any": world.children[home].pk,
    }[kind]


def foreign_values(world, role: str, kind: str) -> list[int]:
    keys = outsiders(world, role)
    person = [world.children[k].pk for k in keys]
    measurement = [world.measurements[k][0].pk for k in keys]
    posyandu = [world.children[k].posyandu_id for k in keys]
    household = [world.households[k].pk for k in keys]
    return {
        "person": person, "measurement": measurement, "posyandu": posyandu, "household": household,
        "any": person + measurement + posyandu + household,
    }[kind]


def probe_query(world, role: str) -> dict[str, str]:
    """Query parameters a careless view might trust: the nearest outsider's region, posyandu, id."""
    keys = outsiders(world, role)
    if not keys:
        return {"q": "Zzyzx"}
    near = world.children[keys[0]]
    far = world.children[keys[-1]]
    return {
        # Never a whole name or NIK: pages echo the query string (the language form's `next`).
        "q": "Zzyzx", "search": "Zzyzx", "name": "Zzyzx", "nik": near.nik[:12],
        "region": near.desa_id, "region_code": near.desa_id, "desa": near.desa_id,
        "kecamatan": far.desa_id.rsplit(".", 1)[0], "kabupaten": far.desa_id[:5], "code": far.desa_id,
        "posyandu": str(near.posyandu_id), "child": str(near.pk), "child_id": str(near.pk),
        "download": "1",
    }


# --- the checks ----------------------------------------------------------------------------------


def snapshot(world):
    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Posyandu
    from tumbuh.registry.models import Household, Person

    return (
        sorted(Person.objects.values_list("pk", "name", "nik", "desa_id", "posyandu_id", "household_id")),
        sorted(Measurement.objects.values_list("pk", "child_id", "weight_kg", "length_cm", "measured_on")),
        sorted(Household.objects.values_list("pk", "kk_number", "head_name", "desa_id")),
        sorted(Posyandu.objects.values_list("pk", "name", "desa_id", "active")),
    )


def check(client, world, role: str, entry: Entry) -> list[str]:
    problems: list[str] = []
    kwargs = entry.kwargs
    kind = access.classify(entry.callback, entry.namespaces)

    def request(method: str, url: str, data=None):
        response = getattr(client, method)(url, data or {})
        if response.status_code >= 500:
            problems.append(f"{method.upper()} {url} -> {response.status_code}")
        return response

    def benign_url():
        return entry.url({k: benign_value(c) for k, c in kwargs.items()})

    if role == "anonymous":
        response = request("get", benign_url())
        if kind != access.PUBLIC and not is_login_redirect(response):
            problems.append(f"anonymous GET {benign_url()} -> {response.status_code}, not a login redirect")
        return problems

    if entry.is_admin:
        response = request("get", benign_url())
        if role != Role.ADMIN and response.status_code != 403:
            problems.append(f"{role} reached admin {benign_url()} -> {response.status_code}")
        return problems

    forbidden = forbidden_texts(world, role)
    identifying = {k: kind_of(k) for k in kwargs if kind_of(k)}
    if identifying:
        before = snapshot(world)
        for probed, probed_kind in identifying.items():
            for foreign in foreign_values(world, role, probed_kind):
                values = {}
                for k, conv in kwargs.items():
                    if k == probed:
                        values[k] = foreign
                    elif identifying.get(k):
                        values[k] = home_value(world, identifying[k], conv)
                    else:
                        values[k] = benign_value(conv)
                url = entry.url(values)
                for method in ("get", "post"):
                    response = request(method, url)
                    ok = response.status_code in (403, 404, 405) or is_login_redirect(response)
                    if not ok:
                        problems.append(f"{role} {method.upper()} {url} ({probed}={foreign}, outside scope) -> {response.status_code}")
                    elif leaks_in(response, world, role):
                        problems.append(f"{role} {method.upper()} {url} shows {leaks_in(response, world, role)}")
        if snapshot(world) != before:
            problems.append(f"{role}: requests with outsider ids changed data")
        return problems

    # No identifying kwargs: fill region-like kwargs with outsider codes, the rest benignly.
    region_codes = [world.children[k].desa_id for k in outsiders(world, role)] or ["64"]
    variants = []
    for code in region_codes[:1] + region_codes[-1:]:
        variants.append({k: (code if k in REGION_KWARGS else benign_value(c)) for k, c in kwargs.items()})
    for values in variants[: 1 if not kwargs else 2]:
        url = entry.url(values)
        for query in ({}, probe_query(world, role)):
            response = client.get(url, query)
            if response.status_code >= 500:
                problems.append(f"GET {url} {query or ''} -> {response.status_code}")
            found = [t for t in forbidden if t in body_text(response)]
            if found:
                problems.append(f"{role} GET {url} {query or ''} shows outsiders: {found}")
    return problems


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", entry_params())
def test_every_view_is_marked(entry):
    assert not COLLECT_ERROR, f"the URL configuration does not load: {COLLECT_ERROR}"
    kind = access.classify(entry.callback, entry.namespaces)
    assert kind is not None, (
        f"{entry.route} ({entry.name}) -> {entry.callback.__module__}.{getattr(entry.callback, '__name__', '?')} "
        "is not marked @region_safe or @public; the middleware refuses it to everyone"
    )


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("role, entry", matrix_params())
def test_role_x_view(client, world, role, entry):
    assert not COLLECT_ERROR, f"the URL configuration does not load: {COLLECT_ERROR}"
    client.raise_request_exception = False
    if role != "anonymous":
        client.force_login(world.users[role])
    problems = check(client, world, role, entry)
    assert not problems, "\n".join(problems)


# --- the matrix itself can fail ------------------------------------------------------------------


def _leaky_detail(request, pk):
    from django.http import HttpResponse

    from tumbuh.registry.models import Person

    person = Person.objects.get(pk=pk)  # no scoping: the bug the matrix must catch
    return HttpResponse(f"{person.name} {person.nik}")


def _leaky_list(request):
    from django.http import HttpResponse

    from tumbuh.registry.models import Person

    return HttpResponse(", ".join(Person.objects.values_list("name", flat=True)))


def _unmarked(request):
    from django.http import HttpResponse

    return HttpResponse("")


def test_matrix_catches_leaky_and_unmarked_views(client, world):
    from django.urls import path

    detail = access.region_safe(_leaky_detail)
    listing = access.region_safe(_leaky_list)
    entries = list(walk([path("x/<int:pk>/", detail, name="x"), path("y/", listing, name="y"),
                         path("z/", _unmarked, name="z")]))

    class Urls:
        urlpatterns = [path("x/<int:pk>/", detail), path("y/", listing), path("z/", _unmarked)]

    from django.test import override_settings

    client.raise_request_exception = False
    client.force_login(world.users[Role.KABUPATEN])
    with override_settings(ROOT_URLCONF=Urls):
        assert any("outside scope" in p for p in check(client, world, Role.KABUPATEN, entries[0]))
        assert any("Zzyzx Kotalainwilayah" in p for p in check(client, world, Role.KABUPATEN, entries[1]))
    assert access.classify(entries[2].callback) is None
