"""The scoping matrix: every role (anonymous and admin too) x every URL in the project.

Every URL name is registered in `ROUTES` below with what it takes (which model each id kwarg
names, which query values it offers, what a form POSTs). A URL that is not registered fails
`test_every_url_is_registered` with the line to add: that is the one step a new view needs.

For every (role, URL):

(a) the view is marked `region_safe` or `public` (or is a Django admin view) — a view added
    without the marker fails `test_every_view_is_marked`;
(b) each id kwarg is probed, GET and POST (with the route's own valid POST payload), with the ids
    of every object of that model the role must not see: 403, 404, 405 or a login redirect, never
    the data, and no row changes in the database;
(c) the page itself is requested as the role plainly, with probing query parameters (the
    outsiders' region codes, posyandu and child ids, a name search), with every declared value
    of every list parameter (`category`, `kind`/`period`, `format=xlsx`, `status`, ...) and with
    every value the page itself offers in its selects and links: the body — unpacked when it is
    an xlsx/zip — never shows an outsider's name, NIK or KK, nor the name of a region or posyandu
    the role must not see (which is how an aggregate of an outside region would show: a ranking
    row, a map tile, a filter option); the totals on the analytics pages, the home page and the
    children list equal the numbers of children the role may see;
(d) a form view is POSTed with the outsiders' posyandu / region / NIK / KK: no row changes, no
    500. `test_form_payloads_change_data_inside_scope` proves each payload is otherwise valid
    (posted for the home corner by a role allowed to, it does change the database);
(e) anonymous requests answer a login redirect and name no one.

Every URL the matrix builds must resolve back to the pattern under test (so a probe never
"passes" against a 404 page), and `test_zz_every_role_reached_every_url` proves, at the end of a
full run, that each role's requests reached every URL pattern of the urlconf.

The world (tumbuh.accounts.testing) has one household in each corner: same desa but another
posyandu, the next desa, the next kecamatan, the next kabupaten, the next province; the expected
visibility per role is written out there, not derived from the code under test.

A leak found in someone else's view is marked in KNOWN_LEAKS (strict xfail) and reported, not
patched here.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from tumbuh.accounts import access
from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import (
    CHILDREN,
    EXPECTED_MANAGEABLE,
    EXPECTED_VISIBLE,
    EXPECTED_VISIBLE_COORDINATION,
    EXPECTED_VISIBLE_PLACES,
    POSYANDU,
    REGIONS,
    build_world,
)
from tumbuh.convergence.testing import EXPECTED_VISIBLE_GAPS
from tumbuh.interventions import testing as ivt

LOGIN_PATH = "/accounts/login/"
ROLES = ["anonymous", *Role.values]
# Every app of the project, derived (a new context is covered without a line here).
TUMBUH_APPS = {config.label for config in apps.get_app_configs() if config.name.startswith("tumbuh.")}


# --- the route registry: one line per URL name --------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How the matrix probes one URL name.

    ids:     kwarg -> model kind it identifies (a key of OBJECTS: "person", "measurement",
             "posyandu", "household", "batch", "review", "target", "figure", ...).
    fixed:   kwarg -> value, for kwargs that are not ids (e.g. `kind="target"`).
    query:   (world, role) -> list of query dicts the view understands, each probed.
    post:    (world, role, corner) -> list of (data, files) POST payloads that would change the
             database for that corner's place/people; the matrix posts them with outsider corners
             (outsiders of kind `post_outsiders`: "person" or "desa") to the page itself
             (`post_to_home`; False when the payload names no place, e.g. a measurement) and, for
             id kwargs, to the outsider's URL.
    control: a role that may POST the payload for the home corner (positive control), or None.
    totals:  (world, role, body) -> list of problems, for the plain GET in the role's own scope.
    """

    ids: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, object] = field(default_factory=dict)
    query: Callable | None = None
    post: Callable | None = None
    post_outsiders: str = "person"
    post_to_home: bool = True
    control: str | None = None
    totals: Callable | None = None
    no_post: str = ""  # why a page with its own POST form needs no payload (e.g. the login form)
    # Whom and where the page may name, when it differs from EXPECTED_VISIBLE /
    # EXPECTED_VISIBLE_PLACES (an OPD officer's lists of their agency's items, which
    # EXPECTED_VISIBLE hides everywhere else): a (people, places) pair of role -> corners
    # tables, or one role -> corners table for both.
    sees: tuple | dict | None = None


def page(**kw) -> Route:
    """A page without kwargs (list, dashboard, form)."""
    return Route(**kw)


def detail(**ids_and_kw) -> Route:
    """A page whose kwargs name objects: detail(pk="batch"), detail(posyandu_id="posyandu",
    child_id="person", post=...)."""
    kw = {k: ids_and_kw.pop(k) for k in ("fixed", "query", "post", "post_outsiders", "post_to_home", "control",
                                         "totals", "no_post", "sees") if k in ids_and_kw}
    return Route(ids=ids_and_kw, **kw)


# -- query variants -------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def analytics_query(*extra: dict) -> Callable:
    """Every period kind (its current and an earlier period), plus each extra dict."""

    def build(world, role):
        from tumbuh.analytics.periods import KINDS, Period

        out = []
        for kind in KINDS:
            now = Period.containing(today(), kind)
            out += [{"kind": kind}, {"period": now.key}, {"period": now.shift(-1).key, "kind": kind}]
        return out + [dict(e) for e in extra]

    return build


def bnba_query(world, role):
    from tumbuh.analytics.reports import BNBA_CATEGORIES

    out = analytics_query()(world, role)
    for category in BNBA_CATEGORIES:
        out += [{"category": category}, {"category": category, "format": "xlsx"}]
    return out


def child_list_query(world, role):
    from tumbuh.registry.filters import STATUS_CHOICES

    return [{"status": s} for s, _label in STATUS_CHOICES] + [{"page": "2"}, {"status": "stunted", "q": "Zzyzx"}]


# -- POST payloads (valid except for the place or people they name) ------------------------------


def corner_place(world, corner):
    child = world.children[corner]
    return child.desa_id, child.posyandu_id


def child_create_post(world, role, corner):
    desa, posyandu = corner_place(world, corner)
    born = today() - dt.timedelta(days=300)
    nik = f"{desa.replace('.', '')[:6]}{born.day:02d}{born.month:02d}{born.year % 100:02d}7777"
    base = {
        "child-name": "Baru Terdaftar", "child-nik": nik, "child-sex": "M", "child-birth_date": born.isoformat(),
        "child-birth_weight_kg": "3.0", "child-desa": desa, "child-posyandu": str(posyandu),
        "mother_choice-mode": "new", "mother-name": "Ibu Baru", "mother-nik": "", "mother-birth_date": "1996-02-03",
        "household_choice-mode": "new", "household-kk_number": "", "household-head_name": "Ayah Baru",
        "household-address": "Jl. Baru 1", "household-rt": "1", "household-rw": "2", "confirm_warnings": "1",
    }
    if corner == "home":
        return [(base, None)]
    mother = world.mothers[corner]
    return [
        (base, None),
        # An existing mother and household found by another corner's NIK / KK.
        ({**base, "child-desa": world.children["home"].desa_id, "child-posyandu": str(world.children["home"].posyandu_id),
          "mother_choice-mode": "existing", "mother_choice-existing_nik": mother.nik,
          "household_choice-mode": "existing", "household_choice-existing_kk": world.households[corner].kk_number},
         None),
    ]


def person_edit_post(world, role, corner):
    child = world.children["home"]
    desa, posyandu = corner_place(world, corner)
    return [({"name": child.name + " Diubah", "nik": child.nik, "sex": child.sex, "birth_date": child.birth_date.isoformat(),
              "desa": desa, "posyandu": str(posyandu), "active": "on", "confirm_warnings": "1"}, None)]


def household_edit_post(world, role, corner):
    home = world.households["home"]
    desa, _posyandu = corner_place(world, corner)
    return [({"kk_number": home.kk_number, "head_name": home.head_name, "address": "Jl. Pindah 9", "rt": "1",
              "rw": "1", "desa": desa}, None)]


def measurement_post(world, role, corner):
    return [({"measured_on": today().isoformat(), "weight_kg": "7.4", "length_cm": "69.5", "position": "l",
              "measurer_name": "Matrix", "date": today().isoformat()}, None)]


def upload_post(world, role, corner):
    from tumbuh.imports import testing as t

    child = world.children[corner]
    region = world.regions[child.desa_id]
    row = {h: "" for h in t.EPPGBM_HEADER}
    row.update({"NIK": "6474010101240009", "Nama": "Impor Baru", "JK": "L",
                "Tgl Lahir": (today() - dt.timedelta(days=400)).strftime("%d/%m/%Y"),
                "Kec": region.parent.name.upper(), "Desa/Kel": region.name.upper(),
                "Posyandu": str(child.posyandu), "Tanggal Pengukuran": today().strftime("%d/%m/%Y"),
                "Berat": "8.1", "Tinggi": "72.0", "Cara Ukur": "Terlentang", "Alamat": "Jl. Impor 1"})
    out = io.StringIO()
    out.write(";".join(t.EPPGBM_HEADER) + "\n" + ";".join(row[h] for h in t.EPPGBM_HEADER) + "\n")
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "matrix.csv"
    return [({"region": child.desa_id}, {"file": upload})]


def deliveries_upload_post(world, role, corner):
    """A delivery list naming the corner's child (imports: `tumbuh import deliveries`)."""
    child = world.children[corner]
    header = "NIK;Nama;Tgl Lahir;Kode Intervensi;Tanggal;Jumlah"
    line = f"{child.nik};{child.name};{child.birth_date:%d/%m/%Y};VIT-A;{today():%d/%m/%Y};1"
    upload = io.BytesIO(f"{header}\n{line}\n".encode())
    upload.name = "matrix-deliveries.csv"
    return [({"region": child.desa_id}, {"file": upload})]


def target_post(world, role, corner):
    desa = world.children[corner].desa_id
    kecamatan = desa.rsplit(".", 1)[0]
    return [
        ({"t-region": kecamatan, "t-year": str(today().year + 3), "t-indicator": "stunting",
          "t-target_percent": "9.5", "t-source": "Matrix"}, None),
        ({"f-region": kecamatan, "f-year": str(today().year - 3), "f-indicator": "stunting",
          "f-value_percent": "19.5", "f-source": "SSGI", "f-period_label": "Matrix"}, None),
    ]


def boundary_post(world, role, corner):
    kecamatan = world.children[corner].desa_id.rsplit(".", 1)[0]
    desa = world.regions[world.children[corner].desa_id]
    geojson = json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": desa.name},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]})
    return [({"parent": kecamatan, "level": "desa", "property_key": "name", "geojson": geojson}, None)]


QUERY = "?query"  # a payload key: its dict goes to the URL's query string, not the POST body


def decide_post(world, role, corner):
    return [({"decision": "same"}, None)]


MATRIX_PASSWORD = "Matriks-sandi-2026-panjang"


def user_create_post(world, role, corner):
    """A desa team account at the corner's desa, and a cadre at the corner's posyandu."""
    desa, posyandu = corner_place(world, corner)
    base = {"first_name": "Akun", "last_name": "Baru", "email": "", "is_active": "on", "password": MATRIX_PASSWORD}
    return [({**base, "username": f"matrix.desa.{corner}", "role": Role.DESA, "region": desa}, None),
            ({**base, "username": f"matrix.kader.{corner}", "role": Role.CADRE, "posyandu": str(posyandu)}, None)]


def user_edit_post(world, role, corner):
    """The home cadre (the account the URL names when not probed) moved to the corner's posyandu."""
    _desa, posyandu = corner_place(world, corner)
    cadre = world.accounts["home"]
    return [({"username": cadre.username, "first_name": "Diubah", "last_name": "", "email": "", "role": Role.CADRE,
              "posyandu": str(posyandu), "is_active": "on", "password": ""}, None)]


def new_woman_post(world, role, corner):
    desa, posyandu = corner_place(world, corner)
    born = dt.date(2001, 5, 6)
    return [({"name": "Wanita Baru", "nik": "", "sex": "F", "birth_date": born.strftime("%d/%m/%Y"), "desa": desa,
              "posyandu": str(posyandu)}, None)]


def team_post(world, role, corner):
    desa, _posyandu = corner_place(world, corner)
    return [({"name": f"Tim Matriks {corner}", "desa": desa, "bidan": "Bidan Matriks"}, None)]


def team_edit_post(world, role, corner):
    return [({"action": "save", "name": "Tim Matriks Diubah", "bidan": "Bidan Baru", "active": "on"}, None)]


def _kecamatan(world, corner):
    return world.children[corner].desa_id.rsplit(".", 1)[0]


def meeting_post(world, role, corner):
    return [({"kind": "rakor", "title": "Rapat Matriks", "date": today().isoformat(), "region": _kecamatan(world, corner),
              "chair": "", "venue": "", "agenda": "", "invited": "", "attending": ""}, None)]


def deadline_post(world, role, corner):
    return [({"region": _kecamatan(world, corner), "title": "Tenggat Matriks",
              "due_date": (today() + dt.timedelta(days=7)).isoformat(), "notes": ""}, None)]


def case_post(world, role, corner):
    return [({"reviewed_on": today().isoformat(), "findings": "Temuan matriks"}, None)]


def public_toggle_post(world, role, corner):
    """The kab/kota comes from ?kabupaten= (an outside one is refused, not turned into the user's
    own). The home kota's page exists, disabled (tumbuh/coordination/testing.py): the home payload
    enables it; an outsider's payload disables, so even a fallback to the home page would show only
    as the data version's bump."""
    return [({QUERY: {"kabupaten": world.children[corner].desa_id[:5]}, "enabled": "1" if corner == "home" else "0"},
             None)]


def gap_query(world, role):
    return [{"download": "xlsx"}, {"group": "balita"}, {"group": "keluarga"}, {"item": "PMT-BALITA"},
            {"agency": "DINKES"}, {"page": "2"}]


def not_applicable_post(world, role, corner):
    return [({"reason": "refused", "note": "Matriks"}, None)]


def local_rule_post(world, role, corner):
    """A local rule for the corner's kab/kota (the page is for the user's own; an outside one is 404)."""
    return [({"region": world.children[corner].desa_id[:5], "rule_id": "matriks-baas", "group": "balita",
              "item": "BAAS", "condition": '{"kind": "child_undernourished", "indices": ["haz"]}',
              "window": '{"kind": "days_before", "days": 180}', "label": "Matriks"}, None)]


def coordination_query(world, role):
    codes = sorted({c.desa_id[:5] for c in world.children.values()})
    return [{"kabupaten": c} for c in codes] + [{"year": str(today().year)}, {"year": str(today().year - 1)}]


# -- interventions (tumbuh/interventions/urls.py): pages may name, for an OPD officer, their kota's
# people of their agency's items (EXPECTED_VISIBLE_INTERVENTIONS, tumbuh/interventions/testing.py)

IV_SEES = (ivt.EXPECTED_VISIBLE_INTERVENTIONS, ivt.EXPECTED_PLACES_INTERVENTIONS)


def iv_delivery_post(world, role, corner):
    child = world.children[corner]
    return [({"item_code": "VIT-A", "nik": child.nik, "kk": "", "date": today().isoformat(), "quantity": "1",
              "unit": "", "fund_source": "APBD", "agency": "", "delivered_by": "Matriks", "notes": ""}, None)]


def iv_agency_post(world, role, corner):
    return [({"region": world.children[corner].desa_id, "code": "MATRIKS", "name": "Mitra Matriks", "kind": "mitra"},
             None)]


def iv_plan_post(world, role, corner):
    return [({"agency": str(world.agencies["home"].pk), "code": "VIT-A", "desa": world.children[corner].desa_id,
              "year": str(today().year + 1), "planned_quantity": "50", "budget": ""}, None)]


def iv_row_post(code):
    return lambda world, role, corner: [({"code": code, "date": today().isoformat(), "received": "on",
                                          "quantity": "1"}, None)]


def iv_distribution_query(world, role):
    home = world.children["home"]
    return [{"code": "PMT-BALITA", "posyandu": str(home.posyandu_id), "date": today().isoformat()},
            {"code": "VIT-A", "desa": home.desa_id, "date": today().isoformat()},
            {"code": "JAMBAN", "desa": home.desa_id, "date": today().isoformat()}]


IV_NO_POST = "a local catalogue row is placed at the user's own kab/kota or province: the form names no place or person"
INTERVENTION_ROUTES = {
    "interventions:deliveries": page(sees=IV_SEES, query=lambda w, r: [
        {"format": "xlsx"}, {"code": "VIT-A"}, {"fund": "APBD"}, {"page": "2"}, {"desa": w.children["home"].desa_id}]),
    "interventions:delivery_new": page(sees=IV_SEES, post=iv_delivery_post, post_outsiders="iv_person",
                                       control=Role.KABUPATEN),
    "interventions:delivery_detail": tuple(
        detail(delivery_id=kind, sees=IV_SEES, post=lambda w, r, c: [({"reason": "Salah entri"}, None)],
               post_to_home=False, control=Role.KABUPATEN)
        for kind in ("delivery", "delivery_other", "household_delivery")),
    "interventions:catalogue": page(sees=IV_SEES, no_post=IV_NO_POST),
    "interventions:catalogue_item": detail(item_id="catalogue_item", sees=IV_SEES, no_post=IV_NO_POST),
    "interventions:agencies": page(sees=IV_SEES, post=iv_agency_post, post_outsiders="desa", control=Role.KABUPATEN),
    "interventions:courses": page(sees=IV_SEES, query=lambda w, r: [{"status": "berjalan"}, {"status": "selesai"}]),
    "interventions:course_detail": detail(
        course_id="course", sees=IV_SEES, post=lambda w, r, c: [({"status": "berhenti", "exit_reason": "Pindah"}, None)],
        post_to_home=False, control=Role.KABUPATEN),
    "interventions:course_new": detail(
        person_id="iv_person", sees=IV_SEES, post_to_home=False, control=Role.KABUPATEN,
        post=lambda w, r, c: [({"item_code": "RUMAH-SINGGAH-GIZI", "start": today().isoformat(), "days": "14",
                                "planned_amount": "", "notes": ""}, None)]),
    "interventions:distribution": page(sees=IV_SEES, query=iv_distribution_query),
    "interventions:distribution_row": detail(person_id="iv_person", sees=IV_SEES, post=iv_row_post("VIT-A"),
                                             post_to_home=False, control=Role.KABUPATEN),
    "interventions:distribution_household": detail(household_id="household", sees=IV_SEES,
                                                   post=iv_row_post("JAMBAN"), post_to_home=False,
                                                   control=Role.KABUPATEN),
    "interventions:pledges": page(sees=IV_SEES),
    "interventions:pledge_new": detail(
        child_id="iv_person", sees=IV_SEES, post_to_home=False, control=Role.KABUPATEN,
        post=lambda w, r, c: [({"sponsor": str(w.interventions["sponsor"]["home"].pk), "amount_per_month": "500000",
                                "months": "6", "start": today().isoformat(), "notes": ""}, None)]),
    "interventions:pledge_detail": detail(pledge_id="pledge", sees=IV_SEES),
    "interventions:sponsor": detail(agency_id="sponsor", sees=IV_SEES),
    "interventions:plans": page(sees=IV_SEES, post=iv_plan_post, post_outsiders="iv_desa", control=Role.KABUPATEN,
                                query=lambda w, r: [{"year": str(today().year)}, {"year": str(today().year - 1)},
                                                    {"agency": str(w.agencies["home"].pk)},
                                                    {"desa": w.children["home"].desa_id}]),
    "interventions:opd_home": page(sees=IV_SEES, query=lambda w, r: [
        {"item": "PMT-BALITA"}, {"item": "VIT-A", "desa": w.children["home"].desa_id}, {"item": "KIE-PENGASUHAN"}]),
}
def _quarter_now():
    from tumbuh.analytics.periods import Period

    return Period.containing(today(), "quarter")


def indicators_query(world, role):
    from tumbuh.analytics.periods import Period

    now = Period.containing(today(), "semester")
    return [{"period": now.key}, {"period": _quarter_now().key}, {"period": now.key, "format": "xlsx"}]


def scorecard_query(world, role):
    q = _quarter_now().key
    return [{"period": q}, {"period": q, "mode": "opensid"}, {"period": q, "format": "xlsx"},
            {"period": q, "print": "1"}]


def indicators_settings_post(world, role, corner):
    """Dana Desa and lokus for the corner's desa, a local target for its kab/kota (the year after
    next, so the world's own rows are not the ones changed)."""
    desa = world.children[corner].desa_id
    year = str(today().year + 2)
    return [({"form": "dana", "d-desa": desa, "d-year": year, "d-total": "1.000.000", "d-stunting": "250.000"}, None),
            ({"form": "lokus", "l-desa": desa, "l-year": year, "l-lokus": "on", "l-decree": "SK Matriks"}, None),
            ({"form": "target", "t-region": desa[:5], "t-indicator": "krs_pendampingan", "t-year": year,
              "t-target_percent": "92,5", "t-source": "Matriks"}, None)]
def report_create_post(world, role, corner):
    """A new semester report of the corner's desa (the world's reports are last year's)."""
    return [({"region": world.children[corner].desa_id, "year": str(today().year), "semester": "1"}, None)]


def report_action_post(world, role, corner):
    return [({"action": "save", "problems": "Masalah matriks", "follow_up": "Tindak lanjut matriks"}, None)]


def meeting_pack_post(world, role, corner):
    return [({"kind": "handout"}, None)]


def bnba_print_post(world, role, corner):
    return [({QUERY: {"region": world.children[corner].desa_id}, "category": "stunted"}, None)]


def distribution_print_post(world, role, corner):
    child = world.children[corner]
    return [({"code": "VIT-A", "desa": child.desa_id, "date": today().isoformat()}, None),
            ({"code": "PMT-BALITA", "posyandu": str(child.posyandu_id), "date": today().isoformat()}, None)]


# -- totals: what the role's own pages must count -------------------------------------------------


def _n(role) -> int:
    return len(EXPECTED_VISIBLE[role])


def expect(pattern: str, value: Callable[[str], str]) -> Callable:
    def check(world, role, body):
        want = value(role)
        found = re.findall(pattern, body)
        return [] if found and all(f == want for f in found) else [f"{pattern!r}: {found} on the page, expected {want}"]

    return check


def all_of(*checks) -> Callable:
    return lambda world, role, body: [p for c in checks for p in c(world, role, body)]


DASHBOARD_TOTALS = all_of(
    expect(r'(?s)id="kpi-stunting".*?class="kpi-n">([^<]*)<', lambda r: f"{_n(r)}/{_n(r)}"),
    expect(r'id="coverage-ds">([^<]*)<', lambda r: f"{_n(r)}/{2 * _n(r)}"),  # the sibling is not measured
)
HOME_TOTALS = all_of(expect(r'id="kpi-children">\s*(\d+)\s*<', lambda r: str(2 * _n(r))),
                     expect(r'id="kpi-measured">\s*(\d+)\s*<', lambda r: str(_n(r))))
BNBA_TOTALS = expect(r'id="bnba-total">(\d+)<', lambda r: str(_n(r)))
CHILD_LIST_TOTALS = expect(r"<p class=\"muted\">(\d+) balita\b", lambda r: str(2 * _n(r)))

MANAGER = Role.KABUPATEN


# -- target-group corrections (tumbuh/targets/corrections.py): URL kind -> OBJECTS kind, and an edit
# payload that is valid for the corner's own record (tumbuh/targets/testing.py) and changes it

TARGET_KINDS = {"catin": "catin", "pregnancy": "pregnancy", "anc": "anc", "birth": "birth", "nifas": "postpartum",
                "kf": "kf", "asi": "asi", "remaja": "adolescent", "hb": "hb", "ttd": "ttd", "krs": "krs",
                "tpk": "tpk_visit"}


def target_edit_post(kind):
    def build(world, role, corner):
        t = {k: v[corner] for k, v in world.target_groups.items() if corner in v}
        day = today()
        data = {
            "catin": {"screened_on": day.isoformat(), "weight_kg": "50", "height_cm": "155", "lila_cm": "22,5",
                      "hb_gdl": "12,5", "waist_cm": "", "kua": "KUA Matriks", "partner_name": "", "notes": ""},
            "pregnancy": {"hpht": t["pregnancy"].hpht.isoformat(), "gravida": "2", "para": "1", "abortus": "0",
                          "lila_cm": "22,5", "hb_gdl": "10,5", "notes": ""},
            "anc": {"visited_on": t["anc"].visited_on.isoformat(), "place": "puskesmas", "hb_gdl": "10,5",
                    "ttd_given": "20", "notes": ""},
            "birth": {"weight_g": "2400", "length_cm": "47,5"},
            "nifas": {"delivered_on": t["postpartum"].delivered_on.isoformat(), "delivery_place": "Puskesmas Matriks",
                      "kb_method": "implant", "kb_refusal_reason": "", "notes": ""},
            "kf": {"visited_on": (day - dt.timedelta(days=8)).isoformat(), "notes": "Matriks"},
            "asi": {"month": "2", "exclusive": "0"},
            "remaja": {"school": "SMA Matriks", "grade": "10", "in_school": "on"},
            "hb": {"tested_on": day.isoformat(), "hb_gdl": "11,5"},
            "ttd": {"week": t["ttd"].week_start.isoformat()},  # unticked: not taken
            "krs": {"water_source": "sungai", "latrine": "none", "house_livable": "1", "welfare": "ks1",
                    "couple": "on", "modern_contraception": "0"},
            "tpk": {"team": str(t["team"].pk), "person": "", "visited_on": day.isoformat(), "referral": "referred",
                    "counselling": "on", "notes": "Matriks"},
        }[kind]
        return [(data, None)]

    return build
OWN_ACCOUNT = "the form concerns only the requester's own account (password, second factor); it names no place or person"
BY_ID = ("its forms act on the object the URL names (the ids probe POSTs to every outsider's URL, which must "
         "refuse before any form is read); no payload builder for these forms yet")

# Every URL name of the project. A new URL: add one line here (page(), detail(pk="<model kind>"),
# with post=/query= when it has a form or list parameters). Django's admin ("admin:*") is covered
# by namespace and needs no line.
ROUTES: dict[str, Route] = {
    "set_language": page(),
    "accounts:login": page(no_post="the login form names no region, posyandu or person"),
    "accounts:logout": page(),
    "accounts:me": page(),
    "audit:list": page(query=lambda w, r: [{"action": "view_list"}, {"object_type": "registry.person"}]),
    "registry:child_list": page(query=child_list_query, totals=CHILD_LIST_TOTALS),
    "registry:child_create": page(post=child_create_post, control=Role.KECAMATAN),
    "registry:child_detail": detail(pk="person"),
    "registry:person_edit": detail(pk="person", post=person_edit_post, control=Role.KECAMATAN),
    # Voiding a person (their rows kept whole) and restoring them: restore takes the id the person
    # had; the world's people are not voided, so every role's restore POST changes nothing.
    "registry:person_void": detail(pk="person", post=lambda w, r, c: [({"reason": "mistake", "note": "Matriks"}, None)],
                                   post_to_home=False, control=Role.KECAMATAN),
    "registry:person_restore": detail(pk="person", post=lambda w, r, c: [({}, None)], post_to_home=False),
    "registry:voided_list": page(),
    "registry:mother_search": page(query=lambda w, r: [{"q": "Ibu"}, {"mother_choice-search": "Zzyzx"}]),
    "registry:household_detail": detail(pk="household"),
    "registry:household_edit": detail(pk="household", post=household_edit_post, post_outsiders="desa",
                                      control=Role.KECAMATAN),
    "measurements:session_list": page(),
    "measurements:session": detail(posyandu_id="posyandu", query=lambda w, r: [{"date": today().isoformat()}]),
    "measurements:session_row": detail(posyandu_id="posyandu", child_id="person", post=measurement_post,
                                       post_to_home=False),
    "measurements:add_for_child": detail(child_id="person", post=measurement_post, post_to_home=False),
    "measurements:edit": detail(pk="measurement", post=measurement_post, post_to_home=False),
    "measurements:delete": detail(pk="measurement"),
    "imports:upload": page(post=upload_post, post_outsiders="desa", control=Role.KECAMATAN),
    "imports:report": detail(pk="batch"),
    "imports:rejected": detail(pk="batch"),
    "imports:reviews": page(),
    "imports:decide": (detail(pk="review", post=decide_post, post_to_home=False),
                       detail(pk="cross_review", post=decide_post, post_to_home=False)),
    # Undoing a merge: only merged reviews qualify (the world's are pending), so every role's
    # POST on an outsider's review, or on its own pending one, changes nothing.
    "imports:undo_merge": (detail(pk="review", post=lambda w, r, c: [({}, None)], post_to_home=False),
                           detail(pk="cross_review", post=lambda w, r, c: [({}, None)], post_to_home=False)),
    # Undoing a decision on a held delivery row: each corner has a decided one (its VIT-A delivery
    # recorded for the corner's child); an outsider's POST must find nothing, void nothing, while
    # the home kota's team undoes the home one (the positive control).
    "imports:undo_delivery_review": detail(pk="delivery_review", post=lambda w, r, c: [({}, None)],
                                           post_to_home=False, control=Role.KABUPATEN),
    "imports:export": page(query=lambda w, r: [{"download": "1"}, {"download": "1", "region": w.children["home"].desa_id}]),
    "analytics:dashboard": page(query=analytics_query({"ranking": "all"}), totals=DASHBOARD_TOTALS),
    "analytics:prevalence": page(query=analytics_query({"format": "xlsx"}), totals=DASHBOARD_TOTALS),
    "analytics:bnba": page(query=bnba_query, totals=BNBA_TOTALS),
    "analytics:quality": page(query=analytics_query({"by": "region"}, {"by": "posyandu"}, {"format": "xlsx"})),
    "analytics:targets": page(post=target_post, post_outsiders="desa", control=MANAGER),
    "analytics:delete_reference": (detail(pk="target", fixed={"kind": "target"}),
                                   detail(pk="figure", fixed={"kind": "figure"})),
    "analytics:boundaries": page(post=boundary_post, post_outsiders="desa", control=MANAGER),
    "web:home": page(totals=HOME_TOTALS),
    # accounts: own password and second factor; user pages (admin, kabupaten teams)
    "accounts:password_change": page(no_post=OWN_ACCOUNT),
    "accounts:otp_verify": page(no_post=OWN_ACCOUNT),
    "accounts:otp_setup": page(no_post=OWN_ACCOUNT),
    "accounts:user_list": page(query=lambda w, r: [{"q": "kader"}, {"role": Role.CADRE}, {"q": "tpps"}]),
    "accounts:user_create": page(post=user_create_post, post_outsiders="desa", control=MANAGER),
    "accounts:user_edit": detail(user_id="account", post=user_edit_post, post_outsiders="desa", control=MANAGER),
    "audit:export": page(query=lambda w, r: [{"format": "csv"}, {"format": "xlsx"}, {"action": "view_list"}]),
    # target groups (tumbuh/targets/urls.py)
    "targets:overview": page(query=lambda w, r: [{"region": c} for c in sorted({k.rsplit(".", 1)[0] for k, _ in REGIONS})]),
    **{f"targets:register_{g}": page(query=lambda w, r: [{"download": "1"}, {"page": "2"}, {"risk": "1"}])
       for g in ("catin", "bumil", "nifas", "remaja", "krs")},
    **{f"targets:new_{g}": page(post=new_woman_post, post_outsiders="desa", control=Role.KECAMATAN)
       for g in ("catin", "bumil", "remaja")},
    "targets:teams": page(no_post=BY_ID),
    "targets:team_new": page(post=team_post, post_outsiders="desa", control=Role.KECAMATAN),
    "targets:team_detail": detail(team_id="tpk_team", post=team_edit_post, post_to_home=False, control=MANAGER),
    "targets:person": detail(person_id="person"),
    **{f"targets:{g}_new": detail(person_id="person", no_post=BY_ID) for g in ("catin", "bumil", "nifas", "remaja")},
    "targets:pregnancy": detail(pregnancy_id="pregnancy", no_post=BY_ID),
    "targets:pregnancy_outcome": detail(pregnancy_id="pregnancy", no_post=BY_ID),
    "targets:postpartum": detail(postpartum_id="postpartum", no_post=BY_ID),
    "targets:adolescent": detail(adolescent_id="adolescent", no_post=BY_ID),
    "targets:household": detail(household_id="household", no_post=BY_ID),
    # corrections: the edit form of every target record, and its void with a reason
    **{f"targets:edit_{k}": detail(pk=TARGET_KINDS[k], post=target_edit_post(k), post_to_home=False, control=MANAGER)
       for k in TARGET_KINDS},
    **{f"targets:void_{k}": detail(pk=TARGET_KINDS[k], post=lambda w, r, c: [({"reason": "Salah entri matriks"}, None)],
                                   post_to_home=False, control=MANAGER) for k in TARGET_KINDS},
    # coordination (tumbuh/coordination/urls.py)
    "coordination:index": page(query=coordination_query, no_post=BY_ID),
    "coordination:aksi_detail": detail(aksi_id="aksi", no_post=BY_ID),
    "coordination:evidence": detail(evidence_id="evidence"),
    "coordination:meeting_list": page(),
    "coordination:meeting_new": page(post=meeting_post, post_outsiders="coordination_desa", control=MANAGER),
    "coordination:meeting_detail": detail(meeting_id="meeting", no_post=BY_ID),
    "coordination:commitment_list": page(),
    "coordination:commitment_detail": detail(commitment_id="commitment", no_post=BY_ID),
    "coordination:calendar": page(post=deadline_post, post_outsiders="coordination_desa", control=MANAGER),
    "coordination:ics": detail(fixed={"token": "matriks-bukan-token"}),
    "coordination:assessment": page(query=coordination_query, no_post=BY_ID),
    "coordination:assessment_detail": detail(assessment_id="assessment", no_post=BY_ID),
    "coordination:case_list": page(),
    "coordination:case_new": detail(child_id="person", post=case_post, post_to_home=False, control=MANAGER),
    "coordination:case_detail": detail(case_id="case", no_post=BY_ID),
    "coordination:public_toggle": page(post=public_toggle_post, post_outsiders="coordination_desa", control=MANAGER),
    "coordination:public": detail(fixed={"kabupaten": "64.74"}),
    # --- interventions ---
    **INTERVENTION_ROUTES,
    # --- imports ---
    "imports:upload_source": detail(fixed={"source": "deliveries"}, post=deliveries_upload_post,
                                    post_outsiders="desa", control=Role.KECAMATAN),
    "imports:progress": detail(pk="batch"),
    "imports:cancel": detail(pk="batch", post=lambda w, r, c: [({}, None)], post_to_home=False),
    # --- api (tumbuh/api/urls.py; JSON, so the matrix's form POSTs are refused as 415; the API's own
    # scoping tests POST JSON per role: tests/api/test_scoping.py) ---
    "api:schema": page(),
    "api:docs": page(),
    "api:measurement_bulk": page(),
    "api:roster": detail(posyandu_id="posyandu", query=lambda w, r: [{"date": today().isoformat()}]),
    "api:measurement-list": page(query=lambda w, r: [
        {"region": w.children["other_desa"].desa_id}, {"child": str(w.children["other_kecamatan"].pk)},
        {"period": f"{today().year}"}, {"updated_since": "2000-01-01T00:00:00Z"}, {"page_size": "1000"}]),
    "api:measurement-detail": detail(pk="measurement"),
    "api:prevalence": page(query=analytics_query({"posyandu": str(4001)})),
    "api:not_found": page(),
    "api:tokens": page(no_post="the form concerns only the requester's own API tokens; it names no place or person"),
    **{f"api:{name}-list": page(query=lambda w, r: [
        {"region": w.children["other_desa"].desa_id}, {"region": w.children["other_provinsi"].desa_id[:2]},
        {"period": f"{today().year}"}, {"updated_since": "2000-01-01T00:00:00Z"}, {"page_size": "1000"}])
       for name in ("region", "posyandu", "person", "household", "catin", "pregnancy", "postpartum", "adolescent",
                    "krs", "meeting", "commitment")},
    "api:region-detail": detail(pk="desa"),
    "api:posyandu-detail": detail(pk="posyandu"),
    "api:person-detail": (detail(pk="person"), detail(pk="mother"), detail(pk="sibling")),
    "api:household-detail": detail(pk="household"),
    "api:pregnancy-detail": detail(pk="pregnancy"),
    "api:postpartum-detail": detail(pk="postpartum"),
    "api:adolescent-detail": detail(pk="adolescent"),
    "api:meeting-detail": detail(pk="meeting"),
    "api:commitment-detail": detail(pk="commitment"),
    **{f"api:{name}-list": page(sees=IV_SEES, query=lambda w, r: [
        {"region": w.children["other_desa"].desa_id}, {"code": "VIT-A"}, {"period": f"{today().year}"},
        {"updated_since": "2000-01-01T00:00:00Z"}, {"page_size": "1000"}]) for name in ("catalogue", "delivery")},
    "api:catalogue-detail": detail(pk="catalogue_item", sees=IV_SEES),
    "api:delivery-detail": tuple(detail(pk=kind, sees=IV_SEES)
                                 for kind in ("delivery", "delivery_other", "household_delivery")),
    "api:gap-list": page(sees=EXPECTED_VISIBLE_GAPS, query=lambda w, r: [
        {"region": w.children["other_desa"].desa_id}, {"item": "VIT-A"}, {"period": f"{today().year}"}]),
    "api:gap-detail": detail(pk="gap", sees=EXPECTED_VISIBLE_GAPS),
    "api:scorecard": page(query=lambda w, r: [
        {"period": _quarter_now().shift(-1).key}, {"period": _quarter_now().key, "mode": "opensid"},
        {"region": w.children["other_desa"].desa_id}, {"region": w.children["other_provinsi"].desa_id[:5]}]),
    "api:delivery_bulk": page(sees=IV_SEES),
    "api:ranpasti": page(query=lambda w, r: [
        {"period": _quarter_now().key}, {"period": f"{today().year}"},
        {"region": w.children["other_desa"].desa_id}, {"region": w.children["other_provinsi"].desa_id[:5]}]),
    # --- measurements (offline session) ---
    "measurements:service_worker": page(no_post="the service worker script: static URLs only, no form"),
    # --- indicators (tumbuh/indicators/urls.py) ---
    "indicators:ranpasti": page(query=indicators_query),
    "indicators:scorecard": page(query=scorecard_query),
    "indicators:scorecard_trend": page(query=scorecard_query),
    "indicators:outcome": page(),
    "indicators:settings": page(post=indicators_settings_post, post_outsiders="desa", control=MANAGER),
    # --- convergence ---
    "convergence:gaps": page(query=gap_query, sees=EXPECTED_VISIBLE_GAPS),
    "convergence:gap": detail(gap_id="gap", post=not_applicable_post, post_to_home=False, sees=EXPECTED_VISIBLE_GAPS),
    "convergence:not_applicable": page(sees=EXPECTED_VISIBLE_GAPS),
    "convergence:revoke": detail(na_id="not_applicable", sees=EXPECTED_VISIBLE_GAPS),
    "convergence:rules": page(query=lambda w, r: [{"region": "64.74"}, {"region": "64.72"}], post=local_rule_post,
                              post_outsiders="desa", control=MANAGER),
    # --- reports ---
    "reports:index": page(query=lambda w, r: [{"year": str(today().year - 1), "semester": "2"},
                                              {"year": str(today().year), "semester": "1"}, {"semester": "x"},
                                              {"semester_key": f"{today().year - 1}-2"}]),
    "reports:create": page(post=report_create_post, post_outsiders="coordination_desa", control=Role.DESA),
    "reports:detail": detail(report_id="report"),
    "reports:action": detail(report_id="report", post=report_action_post, post_to_home=False, control=Role.DESA),
    "reports:job": detail(job_id="render_job"),
    "reports:download": detail(job_id="render_job"),
    "reports:meeting_pack": detail(meeting_id="meeting", post=meeting_pack_post, post_to_home=False, control=MANAGER),
    "reports:bnba_print": page(query=bnba_query, post=bnba_print_post, post_outsiders="desa", control=Role.KECAMATAN),
    "reports:distribution_print": page(sees=IV_SEES, query=iv_distribution_query, post=distribution_print_post,
                                       post_outsiders="iv_desa", control=Role.KABUPATEN),
}

# (role, url name) -> reason. Strict: when the owner fixes the view, the xfail turns into a failure
# and the entry must be removed.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


# --- the world's objects, by kind ---------------------------------------------------------------

# kind -> (corner -> object) and which corners a role may see for that kind: "people" (the
# corner's child is visible) or "places" (the corner's desa is inside the role's regions).
OBJECTS: dict[str, tuple[Callable, str]] = {
    "person": (lambda w, k: w.children[k], "people"),
    "mother": (lambda w, k: w.mothers[k], "people"),
    "sibling": (lambda w, k: w.siblings[k], "people"),
    "measurement": (lambda w, k: w.measurements[k][-1], "people"),
    "posyandu": (lambda w, k: w.posyandu[CHILDREN[k][1]], "people"),
    "household": (lambda w, k: w.households[k], "people"),
    "batch": (lambda w, k: w.batches[k], "places"),
    "review": (lambda w, k: w.reviews[k], "people"),
    "cross_review": (lambda w, k: w.cross_reviews.get(k) or w.reviews[k], "people"),
    "delivery_review": (lambda w, k: w.delivery_reviews[k], "people"),  # by its candidate, the corner's child
    "target": (lambda w, k: w.targets[k], "places"),
    "figure": (lambda w, k: w.figures[k], "places"),
    "desa": (lambda w, k: w.regions[CHILDREN[k][0]], "places"),
    # build_world(full=True): an account per corner, managed per EXPECTED_MANAGEABLE
    "account": (lambda w, k: w.accounts[k], EXPECTED_MANAGEABLE),
    # target-group records of the corner's child (tumbuh/targets/testing.py)
    "pregnancy": (lambda w, k: w.target_groups["pregnancy"][k], "people"),
    "tpk_team": (lambda w, k: w.target_groups["team"][k], "places"),  # a TPK team of the corner's desa
    "postpartum": (lambda w, k: w.target_groups["postpartum"][k], "people"),
    "adolescent": (lambda w, k: w.target_groups["adolescent"][k], "people"),
    **{kind: (lambda w, k, kind=kind: w.target_groups[kind][k], "people")
       for kind in ("catin", "anc", "birth", "kf", "asi", "hb", "ttd", "krs", "tpk_visit")},
    # coordination rows at the corner's desa (tumbuh/coordination/testing.py)
    **{kind: (lambda w, k, kind=kind: w.coordination[kind][k], EXPECTED_VISIBLE_COORDINATION)
       for kind in ("aksi", "meeting", "commitment", "evidence", "assessment", "case")},
    "coordination_desa": (lambda w, k: w.regions[CHILDREN[k][0]], EXPECTED_VISIBLE_COORDINATION),
    # --- interventions --- rows per corner (tumbuh/interventions/testing.py, visibility written out there)
    "iv_person": (lambda w, k: w.children[k], ivt.EXPECTED_VISIBLE_INTERVENTIONS),
    "iv_desa": (lambda w, k: w.regions[CHILDREN[k][0]], ivt.EXPECTED_PLACES_INTERVENTIONS),
    "delivery": (lambda w, k: w.interventions["delivery"][k], ivt.EXPECTED_VISIBLE_INTERVENTIONS),
    "delivery_other": (lambda w, k: w.interventions["delivery_other"][k], ivt.EXPECTED_VISIBLE_OTHER_ITEMS),
    "household_delivery": (lambda w, k: w.interventions["household_delivery"][k], ivt.EXPECTED_VISIBLE_OTHER_ITEMS),
    "course": (lambda w, k: w.interventions["course"][k], ivt.EXPECTED_VISIBLE_INTERVENTIONS),
    "pledge": (lambda w, k: w.interventions["pledge"][k], ivt.EXPECTED_VISIBLE_OTHER_ITEMS),
    "plan": (lambda w, k: w.interventions["plan"][k], ivt.EXPECTED_VISIBLE_PLANS),
    "catalogue_item": (lambda w, k: w.interventions["catalogue_item"][k], ivt.EXPECTED_VISIBLE_CATALOGUE),
    "sponsor": (lambda w, k: w.interventions["sponsor"][k], ivt.EXPECTED_VISIBLE_SPONSORS),
    # convergence rows of the corner's child (tumbuh/convergence/testing.py)
    "gap": (lambda w, k: w.convergence["gap"][k], EXPECTED_VISIBLE_GAPS),
    "not_applicable": (lambda w, k: w.convergence["not_applicable"][k], EXPECTED_VISIBLE_GAPS),
    # --- reports --- semester reports and rendered files at the corner's desa (tumbuh/reports/testing.py)
    **{kind: (lambda w, k, kind=kind: w.reports[kind][k], EXPECTED_VISIBLE_COORDINATION)
       for kind in ("report", "render_job")},
}


def visible_corners(role: str, kind: str = "person") -> set[str]:
    """Anonymous sees no corner."""
    mode = OBJECTS[kind][1]
    table = mode if isinstance(mode, dict) else EXPECTED_VISIBLE if mode == "people" else EXPECTED_VISIBLE_PLACES
    return table.get(role, set())


def outsiders(world, role: str, kind: str = "person") -> list[str]:
    """Corners of objects of this kind the role must not see, nearest first."""
    visible = visible_corners(role, kind)
    return [k for k in CHILDREN if k not in visible]


def object_id(world, kind: str, corner: str) -> int:
    return OBJECTS[kind][0](world, corner).pk


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


def routes_of(entry: Entry) -> tuple[Route, ...]:
    if entry.is_admin:
        return (Route(),)
    found = ROUTES.get(entry.name)
    return () if found is None else (found if isinstance(found, tuple) else (found,))


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


def _sees_tables(sees) -> tuple[dict, dict]:
    if sees is None:
        return EXPECTED_VISIBLE, EXPECTED_VISIBLE_PLACES
    return (sees, sees) if isinstance(sees, dict) else sees


def place_names(role: str, sees: tuple | dict | None = None) -> list[str]:
    """Names of regions and posyandu the role must not see: neither holding a corner the role sees
    nor above one. (Shown on a page they mean a figure, tile, row or choice of an outside place.)"""
    people, places = _sees_tables(sees)
    seen_people = people.get(role, set())
    seen_places = places.get(role, set())
    desas = {CHILDREN[k][0] for k in seen_places}
    allowed = {code for d in desas for code in _ancestors(d)}
    if role == Role.OPD:
        # An OPD officer sees no child or place figure, but works for the home kota and may read
        # its name (their account page, their target lists' heading).
        allowed |= set(_ancestors("64.74"))
    names = [name for code, name in REGIONS if code not in allowed]
    names += [POSYANDU[CHILDREN[k][1]][1] for k in CHILDREN if k not in seen_people]
    return names


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def forbidden_texts(world, role: str, sees: tuple | dict | None = None) -> list[str]:
    texts = []
    seen = _sees_tables(sees)[0].get(role, set()) if sees else visible_corners(role)
    for key in [k for k in CHILDREN if k not in seen]:
        for person in world.people(key):
            texts += [person.name, person.nik]
        texts.append(world.households[key].kk_number)
    if role != "anonymous":
        texts += place_names(role, sees)
    return [t for t in texts if t]


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


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)


def benign_value(converter) -> object:
    name = type(converter).__name__ if converter is not None else ""
    if name == "IntConverter":
        return 1
    if name == "UUIDConverter":
        import uuid

        return uuid.UUID(int=1)
    return "accounts" if converter is None else "x"


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


class _Offers(html.parser.HTMLParser):
    """The (name, value) pairs a page offers: <select> options, radio/checkbox inputs, and the
    query strings of links to the same path (category tabs, export links, period pickers)."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.select, self.pairs, self.links = path, None, [], []
        self.own_post_forms = 0  # <form method="post"> submitting to this page itself

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            if urlsplit(a.get("action") or "").path in ("", self.path):
                self.own_post_forms += 1
        if tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and a.get("value") not in (None, ""):
            self.pairs.append((self.select, a["value"]))
        elif tag == "input" and a.get("type") in ("radio", "checkbox") and a.get("name") and a.get("value"):
            self.pairs.append((a["name"], a["value"]))
        elif tag == "a" and a.get("href"):
            href = urlsplit(a["href"])
            if href.query and (not href.path or href.path == self.path):
                self.links.append(dict(parse_qsl(href.query)))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


MAX_OFFERED_PER_NAME = 6  # all of a small choice (categories, kinds); the ends of a long one (periods)


def has_own_post_form(path: str, body: str) -> bool:
    parser = _Offers(path)
    parser.feed(body)
    return parser.own_post_forms > 0


def offered_queries(path: str, body: str) -> list[dict]:
    parser = _Offers(path)
    parser.feed(body)
    by_name: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        if value not in by_name.setdefault(name, []):
            by_name[name].append(value)
    out = []
    for name, values in by_name.items():
        if name in ("csrfmiddlewaretoken", "language", "next"):
            continue
        if len(values) > MAX_OFFERED_PER_NAME:
            values = values[:3] + values[-3:]
        out += [{name: v} for v in values]
    seen = []
    for link in parser.links:
        link.pop("next", None)
        if link and link not in seen:
            seen.append(link)
    return out + seen[:12]


# --- the checks ----------------------------------------------------------------------------------


def snapshot():
    """Every row of every Tumbuh model except the audit log (which reads add to) and sessions."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in TUMBUH_APPS or model._meta.label == "audit.AuditEvent":
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.name not in ("last_login", "updated_at")]
        state[model._meta.label] = sorted(map(repr, model.objects.values_list(*names)))
    return state


def diff(before, after) -> list[str]:
    return [label for label in before if before[label] != after[label]]


REACHED: set[tuple[str, str]] = set()  # (role, url name) whose pattern a request actually reached
EXECUTED: set[tuple[str, str | None]] = set()  # (role, url name) whose test_role_x_view ran here


class Checker:
    def __init__(self, client, world, role: str, entry: Entry):
        self.client, self.world, self.role, self.entry = client, world, role, entry
        self.problems: list[str] = []
        sees = next((r.sees for r in routes_of(entry) if r.sees), None)
        self.forbidden = forbidden_texts(world, role, sees)

    # one request, with every general check
    def request(self, method: str, url: str, data=None, files=None, *, what: str = "", ok=None):
        self._assert_reaches_entry(url)
        payload = dict(data or {})
        if QUERY in payload:
            url += ("&" if "?" in url else "?") + urlencode(payload.pop(QUERY))
        if files:
            for k, f in files.items():
                f.seek(0)
                payload[k] = f
        response = getattr(self.client, method)(url, payload)
        label = f"{self.role} {method.upper()} {url} {what}".rstrip()
        if response.status_code >= 500:
            self.problems.append(f"{label} -> {response.status_code}")
        if ok is not None and not ok(response):
            self.problems.append(f"{label} -> {response.status_code}")
        # What the request itself carried (a typed NIK echoed back in the form) is not a leak.
        sent = " ".join(str(v) for v in payload.values())
        found = [t for t in self.forbidden if t in body_text(response) and t not in sent]
        if found:
            self.problems.append(f"{label} shows what it must not: {found}")
        return response

    def _assert_reaches_entry(self, url: str):
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Exception:  # noqa: BLE001 - reported as a problem below
            match = None
        if match is None or match.func is not self.entry.callback:
            self.problems.append(f"the matrix built {path} for {self.entry.name}, which resolves elsewhere: fix Entry.url")
        else:
            REACHED.add((self.role, self.entry.name))

    def values(self, route: Route, probed: str | None = None, corner: str | None = None) -> dict:
        values = {}
        for k, conv in self.entry.kwargs.items():
            if k in route.fixed:
                values[k] = route.fixed[k]
            elif k in route.ids:
                values[k] = object_id(self.world, route.ids[k], corner if k == probed else "home")
            else:
                values[k] = benign_value(conv)
        return values

    def refused(self, response) -> bool:
        return response.status_code in (403, 404, 405) or is_login_redirect(response)

    def run(self) -> list[str]:
        kind = access.classify(self.entry.callback, self.entry.namespaces)
        for route in routes_of(self.entry):
            if self.role == "anonymous":
                self.anonymous(route, kind)
            elif self.entry.is_admin:
                # Administrators: any answer but a 500 (the admin itself refuses some adds/deletes).
                ok = None if self.role == Role.ADMIN else (lambda r: r.status_code == 403)
                self.request("get", self.entry.url(self.values(route)), ok=ok, what="(admin site)")
            else:
                self.ids(route)
                self.pages(route)
                self.posts(route)
        return self.problems

    def anonymous(self, route: Route, kind):
        url = self.entry.url(self.values(route))
        ok = None if kind == access.PUBLIC else is_login_redirect
        self.request("get", url, ok=ok)
        before = snapshot()
        for data, files in (route.post(self.world, "anonymous", "home") if route.post else [({}, None)]):
            self.request("post", url, data, files, ok=None if kind == access.PUBLIC else is_login_redirect)
        if (changed := diff(before, snapshot())):
            self.problems.append(f"anonymous POST {url} changed {changed}")

    def ids(self, route: Route):
        """(b): every id kwarg with every outsider's id, GET and POST; nothing may change."""
        if not route.ids:
            return
        before = snapshot()
        for probed, kind in route.ids.items():
            for corner in outsiders(self.world, self.role, kind):
                url = self.entry.url(self.values(route, probed, corner))
                what = f"({probed}={object_id(self.world, kind, corner)}: {kind} of {corner}, outside scope)"
                self.request("get", url, what=what, ok=self.refused)
                payloads = route.post(self.world, self.role, corner) if route.post else [({}, None)]
                for data, files in payloads:
                    self.request("post", url, data, files, what=what, ok=self.refused)
            # An object the role may open by place (an import batch of its desa) must still not
            # show people outside its scope (a cadre: another posyandu's children).
            if OBJECTS[kind][1] == "places":
                for corner in sorted(visible_corners(self.role, kind) - {"home"}):
                    self.request("get", self.entry.url(self.values(route, probed, corner)),
                                 what=f"({probed}: {kind} of {corner}, in scope by place)")
        if (changed := diff(before, snapshot())):
            self.problems.append(f"{self.role}: requests with outsider ids changed {changed}")

    def pages(self, route: Route):
        """(c): the page in scope, plainly, probed, with every declared and offered query."""
        url = self.entry.url(self.values(route))
        plain = self.request("get", url)
        body = body_text(plain)
        if route.totals and plain.status_code == 200 and self.role != Role.ADMIN:
            self.problems += [f"{self.role} GET {url}: {p}" for p in route.totals(self.world, self.role, body)]
        queries = [probe_query(self.world, self.role)]
        if route.query:
            queries += route.query(self.world, self.role)
        if plain.status_code == 200 and "html" in plain.get("Content-Type", ""):
            queries += offered_queries(urlsplit(url).path, body)
            if not route.post and not route.no_post and has_own_post_form(urlsplit(url).path, body):
                self.problems.append(
                    f"{self.entry.name} shows {self.role} a form that POSTs to itself, but its ROUTES line has no "
                    "post=<payload builder>: add one (docs/testing.md) so the matrix posts it naming outside "
                    "places and people, or no_post='why it needs none'")
        done = []
        for query in queries:
            if query in done:
                continue
            done.append(query)
            self.request("get", url, query, what=str(query))

    def posts(self, route: Route):
        """(d): the form posted with every outsider corner's place and people."""
        if not route.post or not route.post_to_home:
            return
        url = self.entry.url(self.values(route))
        before = snapshot()
        for corner in outsiders(self.world, self.role, route.post_outsiders):
            for data, files in route.post(self.world, self.role, corner):
                self.request("post", url, data, files, what=f"(form naming {corner})")
        if (changed := diff(before, snapshot())):
            self.problems.append(f"{self.role}: POSTs to {url} naming outsiders changed {changed}")


def check(client, world, role: str, entry: Entry) -> list[str]:
    return Checker(client, world, role, entry).run()


# --- the tests ---------------------------------------------------------------------------------

REGISTER_HINT = (
    "Register it in ROUTES in tests/test_scoping_matrix.py, one line, e.g.\n"
    '    "{name}": page(),                      # a page without kwargs\n'
    '    "{name}": detail(pk="person"),         # kwargs naming objects: person, measurement, posyandu,\n'
    "                                           # household, batch, review, target, figure (see OBJECTS;\n"
    "                                           # a new model: add it to OBJECTS and the world)\n"
    "  add query=... for list parameters (category, period, format=xlsx) and post=... (a payload\n"
    "  builder) for a form, so the matrix probes them as every role."
)


@pytest.mark.parametrize("entry", entry_params())
def test_every_view_is_marked(entry):
    assert not COLLECT_ERROR, f"the URL configuration does not load: {COLLECT_ERROR}"
    kind = access.classify(entry.callback, entry.namespaces)
    assert kind is not None, (
        f"{entry.route} ({entry.name}) -> {entry.callback.__module__}.{getattr(entry.callback, '__name__', '?')} "
        "is not marked @region_safe or @public; the middleware refuses it to everyone"
    )


def registration_problems(entries: list[Entry], routes: dict) -> list[str]:
    problems = []
    names = {e.name for e in entries}
    for entry in entries:
        if entry.is_admin:
            continue
        found = routes.get(entry.name)
        routes_ = () if found is None else (found if isinstance(found, tuple) else (found,))
        if not routes_:
            problems.append(f"URL {entry.route!r} ({entry.name}, view "
                            f"{entry.callback.__module__}.{getattr(entry.callback, '__name__', '?')}) is not known "
                            "to the scoping matrix.\n" + REGISTER_HINT.format(name=entry.name))
            continue
        for route in routes_:
            unknown = [k for k in entry.kwargs if k not in route.ids and k not in route.fixed]
            if unknown:
                problems.append(f"{entry.name}: kwargs {unknown} are neither ids (pk=\"<model kind>\") nor fixed "
                                f"values in its ROUTES line, so the matrix cannot probe them")
            bad = [k for k, kind in route.ids.items() if kind not in OBJECTS]
            if bad:
                problems.append(f"{entry.name}: ids {bad} name no model kind of OBJECTS {sorted(OBJECTS)}")
    stale = sorted(set(routes) - names)
    if stale:
        problems.append(f"ROUTES names URLs the urlconf no longer has: {stale} (remove or rename the lines)")
    return problems


def test_every_url_is_registered():
    """A URL the matrix does not know fails here, with the line to add."""
    assert not COLLECT_ERROR, f"the URL configuration does not load: {COLLECT_ERROR}"
    problems = registration_problems(ENTRIES, ROUTES)
    assert not problems, "\n\n".join(problems)


def test_an_unregistered_url_fails_loudly():
    """What another engineer sees after adding a URL without its ROUTES line."""
    from django.urls import include, path

    view = access.region_safe(lambda request, pk: None)
    extra = list(walk([path("new/", include(([path("<int:pk>/", view, name="thing")], "newapp")))]))
    problems = registration_problems(ENTRIES + extra, ROUTES)
    assert len(problems) == 1
    assert "'new/<int:pk>/' (newapp:thing" in problems[0] and "is not known to the scoping matrix" in problems[0]
    assert 'Register it in ROUTES in tests/test_scoping_matrix.py' in problems[0]
    assert '"newapp:thing": detail(pk="person")' in problems[0]
    # Registered with an id kind, it passes; with a kwarg left unexplained, it says so.
    assert registration_problems(ENTRIES + extra, {**ROUTES, "newapp:thing": detail(pk="batch")}) == []
    assert "neither ids" in registration_problems(ENTRIES + extra, {**ROUTES, "newapp:thing": page()})[0]
    assert "ROUTES names URLs the urlconf no longer has: ['gone:away']" in registration_problems(
        ENTRIES, {**ROUTES, "gone:away": page()})[0]


def test_walker_sees_every_url_pattern():
    """The matrix's own walk of the resolver against Django's admindocs enumeration: an include the
    walker missed would leave its URLs untested without anyone noticing."""
    from django.contrib.admindocs.views import extract_views_from_urlpatterns

    assert not COLLECT_ERROR, f"the URL configuration does not load: {COLLECT_ERROR}"
    theirs = sorted((route, ":".join(ns or [])) for _f, route, ns, _name in
                    extract_views_from_urlpatterns(get_resolver().url_patterns))
    ours = sorted((e.route, ":".join(e.namespaces)) for e in ENTRIES)
    assert len(ENTRIES) > 20
    assert ours == theirs, f"walked but not in the urlconf: {sorted(set(ours) - set(theirs))}; " \
                           f"in the urlconf but not walked: {sorted(set(theirs) - set(ours))}"


def test_matrix_covers_every_role_and_url():
    """Every role (anonymous and admin too) x every collected URL is a test case, and every role of
    the model has a home user in the world."""
    assert set(ROLES) == {"anonymous", *Role.values} and Role.ADMIN in ROLES
    cases = {(p.values[0], p.values[1].name) for p in matrix_params()}
    assert cases == {(role, e.name) for e in ENTRIES for role in ROLES}
    assert set(EXPECTED_VISIBLE) == set(Role.values) == set(EXPECTED_VISIBLE_PLACES)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole module, inside a transaction rolled back at the end; each test's
    own changes roll back with the test (Django TestCase's setUpTestData pattern)."""
    from django.test import override_settings

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
                yield build_world(full=True)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db):
    return shared_world


@pytest.mark.parametrize("role, entry", matrix_params())
def test_role_x_view(client, world, role, entry):
    assert not COLLECT_ERROR, f"the URL configuration does not load: {COLLECT_ERROR}"
    client.raise_request_exception = False
    if role != "anonymous":
        client.force_login(world.users[role])
    EXECUTED.add((role, entry.name if entry else None))
    problems = check(client, world, role, entry)
    assert not problems, "\n".join(problems)


def form_routes():
    return [pytest.param(name, route, id=name) for name, r in ROUTES.items()
            for route in (r if isinstance(r, tuple) else (r,)) if route.post and route.control]


@pytest.mark.parametrize("name, route", form_routes())
def test_form_payloads_change_data_inside_scope(client, world, name, route):
    """Positive control for (d): the payload, naming the home corner and posted by a role allowed
    to, does change the database — so "nothing changed" for outsiders means refused, not invalid."""
    entry = next(e for e in ENTRIES if e.name == name)
    client.force_login(world.users[route.control])
    checker = Checker(client, world, route.control, entry)
    url = entry.url(checker.values(route))
    for data, files in route.post(world, route.control, "home"):
        before = snapshot()
        response = checker.request("post", url, data, files)
        assert diff(before, snapshot()), (
            f"{name}: the matrix's payload for the home corner changed nothing "
            f"({response.status_code}): fix the payload builder so that only the place makes it fail\n"
            + body_text(response)[:3000])
    assert not checker.problems, checker.problems


def test_zz_every_role_reached_every_url(request):
    """At the end of a full run: each role's requests reached every URL pattern (not a 404 page)."""
    # Counted in this process: under pytest-xdist each worker runs part of the matrix (every
    # request still checks on its own that it reached its URL pattern: _assert_reaches_entry).
    if len(EXECUTED) < len(matrix_params()):
        pytest.skip("only part of the matrix ran in this process")
    missing = sorted({(role, e.name) for e in ENTRIES for role in ROLES} - REACHED)
    assert not missing, f"never reached: {missing}"


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


def _form_page(request):
    from django.http import HttpResponse

    return HttpResponse('<form method="post"><select name="desa"><option value="64">x</option></select></form>')


def _unmarked(request):
    from django.http import HttpResponse

    return HttpResponse("")


def test_matrix_catches_leaky_and_unmarked_views(client, world):
    from django.test import override_settings
    from django.urls import path

    detail_view = access.region_safe(_leaky_detail)
    listing = access.region_safe(_leaky_list)

    form_view = access.region_safe(_form_page)

    class Urls:
        urlpatterns = [path("x/<int:pk>/", detail_view, name="x"), path("y/", listing, name="y"),
                       path("z/", _unmarked, name="z"), path("f/", form_view, name="f")]

    entries = list(walk(Urls.urlpatterns))
    client.raise_request_exception = False
    client.force_login(world.users[Role.KABUPATEN])
    with override_settings(ROOT_URLCONF=Urls):
        ROUTES["x"], ROUTES["y"], ROUTES["f"] = detail(pk="person"), page(), page()
        try:
            assert any("outside scope" in p for p in check(client, world, Role.KABUPATEN, entries[0]))
            assert any("Zzyzx Kotalainwilayah" in p for p in check(client, world, Role.KABUPATEN, entries[1]))
            assert any("a form that POSTs to itself" in p for p in check(client, world, Role.KABUPATEN, entries[3]))
        finally:
            del ROUTES["x"], ROUTES["y"], ROUTES["f"]
    assert access.classify(entries[2].callback) is None
