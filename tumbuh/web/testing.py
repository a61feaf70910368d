"""Test helpers: a small demo with data, and every page of the project as a given user would open it.

Used by the "no English in Indonesian mode" guard (tests/web/test_indonesian_everywhere.py) and by
the phone layout browser test (tests/browser/test_phone_layout.py). The pages come from walking the
URL resolver, so a page added later is visited without anyone editing a list: its URL kwargs are
filled with ids the user may see (children, households, measurements, posyandu, import batches,
reviews), trying each kind until one answers 200.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

DEMO_REGION = "64.74"
DEMO_PASSWORD = "tumbuh-test-demo"
# Pages that are actions, not pages (they answer GET with a redirect or 405).
SKIP_NAMES = {"set_language", "accounts:logout"}


def build_demo(children: int = 120, months: int = 6, today: dt.date | None = None):
    """The synthetic Bontang demo, small: real region codes, seven users (one per role), data."""
    from tumbuh.demo.services import create_demo

    return create_demo(DEMO_REGION, children=children, months=months, seed=7,
                       today=today or dt.date.today(), password=DEMO_PASSWORD)


@dataclass
class Page:
    name: str  # url name, e.g. "registry:child_detail"
    route: str
    parts: list
    namespaces: tuple[str, ...]

    @property
    def kwargs(self) -> dict[str, object]:
        found: dict[str, object] = {}
        for part in self.parts:
            if isinstance(part, RoutePattern):
                found.update(part.converters)
            elif isinstance(part, RegexPattern):
                found.update({k: None for k in part.regex.groupindex})
        return found

    def url(self, values: dict[str, object]) -> str:
        out = "/"
        for part in self.parts:
            if isinstance(part, RoutePattern):
                out += re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", lambda m: str(values[m.group("name")]), str(part))
            else:
                text = part.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
                text = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", lambda m: str(values[m.group("name")]), text)
                out += text.replace("\\", "")
        return out


def _walk(patterns, parts=(), namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, (*parts, p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = "".join(str(x) for x in (*parts, p.pattern))
            name = ":".join((*namespaces, p.name)) if p.name else route
            yield Page(name, route, [*parts, p.pattern], namespaces)


def all_pages() -> list[Page]:
    """Every URL of the project but Django admin and pure actions."""
    return [p for p in _walk(get_resolver().url_patterns)
            if "admin" not in p.namespaces and p.name not in SKIP_NAMES]


def candidate_ids(user) -> dict[str, list[int]]:
    """A few ids of each kind the user may see (through the one scoping module)."""
    from tumbuh.imports.models import ImportBatch, MatchReview
    from tumbuh.measurements.selectors import measurements_for
    from tumbuh.regions.selectors import posyandu_for
    from tumbuh.registry.selectors import people_for

    people = people_for(user)
    children = list(people.filter(mother__isnull=False, measurements__isnull=False)
                    .order_by("pk").values_list("pk", flat=True).distinct()[:2])
    households = list(people.filter(household__isnull=False).order_by("pk")
                      .values_list("household_id", flat=True)[:1])
    measurements = list(measurements_for(user).order_by("-measured_on", "pk").values_list("pk", flat=True)[:1])
    posyandu = list(posyandu_for(user).order_by("pk").values_list("pk", flat=True)[:1])
    batches = list(ImportBatch.objects.order_by("-pk").values_list("pk", flat=True)[:1])
    reviews = list(MatchReview.objects.order_by("-pk").values_list("pk", flat=True)[:1])
    return {"child": children, "household": households, "measurement": measurements, "posyandu": posyandu,
            "batch": batches, "review": reviews}


def _candidates(kwarg: str, ids: dict[str, list[int]]) -> list[object]:
    if "posyandu" in kwarg:
        return ids["posyandu"]
    if kwarg in ("child_id", "person_id", "mother_id"):
        return ids["child"]
    # A plain pk could be any of them: try each kind (a new page needs no entry here).
    return list(dict.fromkeys(itertools.chain(*ids.values())))


def page_urls(client, user) -> list[tuple[str, str]]:
    """(url name, url) of every page that answers 200 to `user` (logged in on `client`)."""
    ids = candidate_ids(user)
    out = []
    for page in all_pages():
        kwargs = page.kwargs
        if not kwargs:
            out.append((page.name, page.url({})))
            continue
        if any(type(c).__name__ not in ("IntConverter",) for c in kwargs.values()):
            continue  # string kwargs (e.g. a kind of reference figure) are actions, not pages
        names = list(kwargs)
        for combo in itertools.islice(itertools.product(*(_candidates(k, ids) for k in names)), 40):
            url = page.url(dict(zip(names, combo, strict=True)))
            if client.get(url).status_code == 200:
                out.append((page.name, url))
                break
    return out
