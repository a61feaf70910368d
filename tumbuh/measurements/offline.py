"""The offline posyandu session (docs/offline.md): what the browser needs to keep working with no
connection. The WHO tables as static JSON (generated from tumbuh/growth/data, so the browser's
z-scores come from the same numbers as the server's), the service worker (served from here so its
scope covers /measurements/), and per child the facts the browser derives a row from."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from django.contrib.staticfiles import finders
from django.templatetags.static import static

STATIC_DIR = Path(__file__).resolve().parent / "static" / "measurements"
TABLES_FILE = STATIC_DIR / "who2006-lms.json"
# The indicators the session screen derives (weight, length/height, BMI, LiLA, weight-for-length).
AGE_INDICATORS = ("lhfa", "wfa", "bfa", "acfa")
LENGTH_INDICATORS = ("wfl", "wfh")


def _values(array) -> list:
    return [None if math.isnan(v) else float(v) for v in array[:-1]]  # without the NaN sentinel


def _table(t) -> dict:
    return {"first": t.first, "size": t.size, "l_is_one": t.l_is_one,
            "l": _values(t.l), "m": _values(t.m), "s": _values(t.s)}


def tables_json() -> str:
    """The WHO 2006 LMS tables of AGE_INDICATORS/LENGTH_INDICATORS, laid out as tumbuh.growth.tables
    holds them (flat per sex, `first`/`size` in days or tenths of a cm). Floats are written with
    repr, which reads back as the same double in JavaScript."""
    from tumbuh.growth.tables import who2006_age_table, who2006_length_table

    data = {
        "source": "WHO Child Growth Standards 2006 (tumbuh/growth/data, see SOURCES.md)",
        "age": {name: _table(who2006_age_table(name)) for name in AGE_INDICATORS},
        "length": {name: _table(who2006_length_table(name)) for name in LENGTH_INDICATORS},
    }
    return json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n"


def write_tables(path: Path = TABLES_FILE) -> Path:
    path.write_text(tables_json(), encoding="utf-8")
    return path


# Files the service worker precaches (the app shell of the session and distribution-day screens),
# as static paths.
SHELL_STATIC = [
    "vendor/htmx/htmx.min.js",
    "web/tumbuh.css",
    "web/behaviours.js",
    "measurements/session.css",
    "measurements/outbox.css",
    "interventions/interventions.css",
    "interventions/distribution-offline.js",
    "measurements/session.js",
    "measurements/growth.js",
    "measurements/outbox.js",
    "measurements/offline.js",
    "measurements/who2006-lms.json",
    "vendor/idb/umd.js",
]
WORKBOX_MODULES = ["workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching"]


def _revision(path: str) -> str:
    found = finders.find(path)
    if not found:
        return "missing"
    return hashlib.sha256(Path(found).read_bytes()).hexdigest()[:16]


def precache_manifest() -> list[dict]:
    """Workbox precache entries {url, revision}: a changed file changes the worker's text, so the
    browser installs the new worker and refreshes exactly the changed files."""
    return [{"url": static(p), "revision": _revision(p)} for p in SHELL_STATIC]


# ---------------------------------------------------------------------------------------------
# What the session page hands its offline script (rendered into the page with json_script, so it
# is cached with the page and its strings are in the reader's language).

def outbox_strings() -> dict[str, str]:
    """The outbox panel's words, one wording for every offline screen (the session, the
    distribution day: tumbuh.interventions.offline)."""
    from django.utils.translation import gettext as _

    return {
        "pending": _("waiting to be sent"),
        "sending": _("sending"),
        "accepted": _("accepted"),
        "duplicate": _("duplicate: already on the server"),
        "rejected": _("rejected"),
        "offline_now": _("Offline: entries are kept on this phone and sent when the connection returns."),
        "online_now": _("Online"),
        "nothing": _("Nothing waiting to be sent."),
        "count_pending": _("{n} waiting to be sent"),
        "send_failed": _("Could not send: no connection. The entries stay on this phone."),
        "send_server": _("Could not send: the server answered with an error. The entries stay on this phone "
                         "and are sent again shortly."),
        "send_login": _("Could not send: log in again, then press Send now. The entries stay on this phone."),
    }


def _strings() -> dict[str, str]:
    from django.utils.translation import gettext as _

    from .derivation import warning_message
    from .validation import ARM_RANGE_CM, LENGTH_RANGE_CM, WEIGHT_RANGE_KG

    # Placeholders {value} etc. are filled in by offline.js; the texts are the server's own, so
    # a row checked offline reads exactly like one checked by the server.
    weight, length, arm = _("Weight"), _("Length/height"), _("Arm circumference")

    def out_of_range(label, limits, unit):
        return (_("%(label)s %(value)s %(unit)s is outside the possible range %(low)s-%(high)s %(unit)s")
                % {"label": label, "value": "{value}", "unit": unit,
                   "low": _num1(limits[0]), "high": _num1(limits[1])})

    return {
        **outbox_strings(),
        "conflict": _("conflict"),
        "saved": _("Saved"),
        "correct": _("Correct"),
        "sent_report": _("Sent: {accepted} accepted, {duplicate} duplicate, {rejected} rejected, {conflict} conflict"),
        "absent_offline": _("Marking a child absent needs a connection."),
        "conflict_text": _("Another entry for this child on this date is already on the server: {values}. "
                           "Yours was not saved and nothing was overwritten."),
        "conflict_yours": _("Yours: {values}"),
        "discard": _("Discard my entry"),
        "open_server": _("Open the saved measurement"),
        "confirm_title": _("Not saved yet: check these values again."),
        "confirm_label": _("I checked again: the values are right"),
        "confirm_help": _("Tick and press Enter or Save; or correct the value."),
        "not_a_number": _("Enter a number"),
        "nothing_measured": _("Enter at least a weight or a length/height"),
        "position_missing": _("Choose whether the child was measured lying or standing"),
        "weight_grams": (_("%(label)s %(value)s kg looks like grams: did you mean %(fixed)s kg?")
                         % {"label": weight, "value": "{value}", "fixed": "{fixed}"}),
        "length_mm": (_("%(label)s %(value)s cm looks like millimetres: did you mean %(fixed)s cm?")
                      % {"label": length, "value": "{value}", "fixed": "{fixed}"}),
        "length_m": (_("%(label)s %(value)s cm looks like metres: did you mean %(fixed)s cm?")
                     % {"label": length, "value": "{value}", "fixed": "{fixed}"}),
        "weight_range": out_of_range(weight, WEIGHT_RANGE_KG, "kg"),
        "length_range": out_of_range(length, LENGTH_RANGE_CM, "cm"),
        "arm_range": out_of_range(arm, ARM_RANGE_CM, "cm"),
        "length_who_none": _("Length/height %(value)s cm is outside what WHO's tables cover") % {"value": "{value}"},
        "length_who_flag": (_("Length/height %(value)s cm: WHO flags length/height-for-age %(z)s SD as implausible "
                              "(beyond -6 to +6 SD)") % {"value": "{value}", "z": "{z}"}),
        "weight_kg": _("Weight (kg)"),
        "length_cm": _("Length/height (cm)"),
        "lila_cm": _("LiLA (cm)"),
        "computed_here": _("computed on this phone"),
        "warn_implausible": warning_message({"code": "implausible", "indicator": "{indicator}", "z": 0}).replace(
            _num2(0), "{z}"),
        "warn_standing_before_9m": warning_message({"code": "standing_before_9m"}),
        "warn_standing_before_24m": warning_message({"code": "standing_before_24m"}),
        "warn_lying_after_24m": warning_message({"code": "lying_after_24m"}),
        "warn_length_decrease": _("Length/height is %(drop)s cm lower than on %(date)s (%(previous)s cm): "
                                  "check the measurement") % {"drop": "{drop}", "date": "{date}",
                                                              "previous": "{previous}"},
        "warn_weight_change": _("Weight changed by %(percent)s%% since %(date)s (%(previous)s kg): check the "
                                "weighing") % {"percent": "{percent}", "date": "{date}", "previous": "{previous}"},
    }


def _num1(value) -> str:
    from django.utils.formats import number_format

    return number_format(round(value, 1), 1)


def _num2(value) -> str:
    from django.utils.formats import number_format

    return number_format(value, 2)


def _category_labels() -> dict[str, dict[str, list[str]]]:
    """{index: {code: [label, severity]}} for the three badges of a session row."""
    from tumbuh.growth.categories import INDEX_LABELS, SEVERITY

    from .templatetags.measurement_tags import INDEX_KEYS, _lang

    lang = _lang()
    return {index: {code: [texts[lang], SEVERITY.get(code, "")] for code, texts in INDEX_LABELS[INDEX_KEYS[index]].items()}
            for index in ("TB/U", "BB/U", "BB/TB")}


def bulk_url(name: str = "api:measurement_bulk", fixed: str = "/api/v1/measurements/bulk/") -> str:
    """The API's bulk endpoint an outbox sends to (also the distribution day's, by name)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:  # the API app not installed: the fixed contract's path
        return fixed


def session_config(posyandu, on, rows) -> dict:
    """Everything offline.js needs, for json_script."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.formats import get_format

    children = {}
    for row in rows:
        child = row.child
        children[str(child.pk)] = {
            "name": child.name, "sex": child.sex, "birth_date": child.birth_date.isoformat(),
            "weight": ([row.previous_weight[0], row.previous_weight[1].isoformat()] if row.previous_weight else None),
            "length": ([row.previous_length[0], row.previous_length[1].isoformat()] if row.previous_length else None),
            "measured": row.current is not None,
        }
    return {
        "posyandu": posyandu.pk,
        "date": on.isoformat(),
        "rendered_at": timezone.now().isoformat(),
        "sw_url": reverse("measurements:service_worker"),
        "scope": reverse("measurements:session_list").rsplit("session/", 1)[0],
        "bulk_url": bulk_url(),
        "tables_url": static("measurements/who2006-lms.json"),
        "edit_url": reverse("measurements:edit", args=[0]),
        "logout_url": reverse("accounts:logout"),
        "decimal_separator": get_format("DECIMAL_SEPARATOR"),
        "children": children,
        "strings": _strings(),
        "categories": _category_labels(),
    }
