"""No English in Indonesian mode: every page, every xlsx header, the error pages.

A guard that future pages fall under without anyone editing it: the pages come from walking the
URL resolver (tumbuh.web.testing.page_urls) as several roles of a small synthetic demo, with data.
Two checks on every answer:

1. **msgids left untranslated.** While the pages render, every gettext lookup in Indonesian is
   watched: a msgid that the Indonesian catalogue does not hold (never written into a .po, left
   empty, or fuzzy) fails the test, with the msgid. This catches strings marked for translation,
   including model verbose names and choices, form labels and messages.
2. **English words on the page.** Strings that were never marked (hard-coded in a view or a
   template, column names of a data frame) never reach gettext. So the visible text of the page
   (text nodes, title/placeholder/aria-label/alt attributes, the header rows of every xlsx) is
   split into words, and a word is English when some msgid of the project's or Django's .po files
   has it and the Indonesian translation replaced it, while no translation introduced it. Words
   Indonesian shares with English (posyandu, stunting, status, data) are never flagged this way;
   snake_case identifiers (`child_id`) are always flagged in xlsx headers.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import trans_real

from tumbuh.accounts.models import User
from tumbuh.web.testing import build_demo, page_urls

ROOT = Path(settings.BASE_DIR) / "tumbuh"
DJANGO = Path(django.__file__).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Words an Indonesian team uses as they are (loanwords, product and programme names, units, codes).
SHARED_WORDS = {
    "stunting", "posyandu", "status", "data", "total", "admin", "nik", "kk", "bnba", "who", "tumbuh",
    "sd", "z", "kg", "cm", "tpk", "krs", "authenticator", "freeotp", "google", "ttd", "anc", "kb", "hb", "catin", "id", "en", "rt", "rw", "ok", "email", "login", "xlsx", "csv", "xls", "eppgbm",
    "puskesmas", "desa", "kelurahan", "kecamatan", "kabupaten", "kota", "provinsi", "tpps", "kader",
    "log", "no", "digit", "web", "enter", "online", "offline", "download", "upload", "monitoring",
}
# WHO's function name stays as it is. (EPPGBM's "by name" export is "EPPGBM per nama" now: the demo
# walk of stop 25 found "Impor file by name EPPGBM" on every role's import page.)
SHARED_PHRASES = re.compile(r"\banthro_prevalence\b|(?<!\S)/\S*|\bdocs/\S+", re.I)  # and URL/doc paths
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
WHO_CODE = re.compile(r"(HA|WA|WH|BMI)(Z|_?\d)?(_(HA|WA|WH)_?\d)?_(pop|unwpop|r|se|ll|ul|stdev|n)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdf]|\{\w*\}")


def _po_entries(path: Path):
    """(msgid, msgstr, fuzzy) of a .po file; plural forms give msgid_plural and msgstr[0]."""
    entry, key, fuzzy = {}, None, False
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry.get("msgid"):
                yield entry.get("msgid", ""), entry.get("msgstr", entry.get("msgstr[0]", "")), fuzzy
                if entry.get("msgid_plural"):
                    yield entry["msgid_plural"], entry.get("msgstr[1]", entry.get("msgstr[0]", "")), fuzzy
            entry, key, fuzzy = {}, None, False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            entry[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = _unquote(value)


def _unquote(text: str) -> str:
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}


def _catalogues() -> list[Path]:
    ours = sorted(ROOT.glob("*/locale/id/LC_MESSAGES/django.po"))
    theirs = [DJANGO / "conf/locale/id/LC_MESSAGES/django.po",
              *sorted(DJANGO.glob("contrib/*/locale/id/LC_MESSAGES/django.po"))]
    return ours + theirs


def english_words() -> set[str]:
    replaced, introduced = set(), set()
    for path in _catalogues():
        for msgid, msgstr, fuzzy in _po_entries(path):
            if not msgstr or fuzzy:
                continue
            source, target = _words(msgid), _words(msgstr)
            replaced |= source - target
            introduced |= target - source
    return {w for w in replaced - introduced - SHARED_WORDS if len(w) > 1}


ENGLISH = english_words()


class _Text(HTMLParser):
    """Visible text; <code> and translate="no" (HTML's own mark for codes and names) are skipped."""

    SKIP = {"script", "style", "code", "kbd", "samp"}
    ATTRS = {"title", "placeholder", "aria-label", "alt"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._stack: list = []  # open elements inside a skipped one

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = bool(self._stack) or tag in self.SKIP or attrs.get("translate") == "no"
        if skipped and tag not in self.VOID:
            self._stack.append(tag)
        if skipped:
            return
        self.chunks += [v for k, v in attrs.items() if k in self.ATTRS and v]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if self._stack and tag not in self.VOID:
            self._stack.pop()

    def handle_data(self, data):
        if not self._stack and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.chunks


def xlsx_headers(content: bytes) -> list[str]:
    """The cells of the first rows (title block and column headers) of every sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=8, values_only=True):
            cells += [c for c in row if isinstance(c, str)]
    return cells


def english_in(texts: list[str], identifiers: bool = False) -> list[str]:
    found = []
    for text in texts:
        words = [w for w in WORD.findall(SHARED_PHRASES.sub("", text)) if w.lower() in ENGLISH]
        if identifiers and WHO_CODE.fullmatch(text.strip()):
            continue  # WHO anthro_prevalence's column codes (HA_2_r, BMI_stdev), as anthro prints them
        if identifiers and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", text.strip()):
            words.append(text)
        if words:
            found.append(f"{text!r} ({', '.join(words)})")
    return found


@pytest.fixture
def missing_msgids(monkeypatch):
    """Every msgid looked up in Indonesian that the Indonesian catalogue does not hold."""
    missed: set[str] = set()
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def gettext(self, message):
        if self.language() == "id" and message not in self._catalog:
            missed.add(message.split(trans_real.CONTEXT_SEPARATOR)[-1])
        return original_gettext(self, message)

    def ngettext(self, msgid1, msgid2, n):
        if self.language() == "id":
            try:
                self._catalog.plural(msgid1, n)
            except KeyError:
                missed.add(msgid1.split(trans_real.CONTEXT_SEPARATOR)[-1])
        return original_ngettext(self, msgid1, msgid2, n)

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", ngettext)
    return missed


# Files that are raw records for machines, not documents for people: checked for headers only
# being Indonesian is not wanted there (their columns are the stored field names and codes).
RAW_EXPORTS = {
    "/audit/export/": "the audit log as stored (field names, action codes, JSON detail) for administrators' tools",
}


def problems_of(response, url: str) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if url in RAW_EXPORTS:
        return []
    if response.get("Content-Type", "").startswith(XLSX) or body[:2] == b"PK":
        try:
            return [f"{url} xlsx: {p}" for p in english_in(xlsx_headers(body), identifiers=True)]
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            return [f"{url}: unreadable xlsx ({exc})"]
    if "html" not in response.get("Content-Type", ""):
        return []
    return [f"{url}: {p}" for p in english_in(visible_texts(body.decode("utf-8", "replace")))]


@pytest.fixture
def demo(db, settings):
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404/405 while probing ids are expected
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_demo()


def test_vocabulary_knows_the_english_it_must_catch():
    # The check is only as good as its vocabulary: the words of the defects found by hand.
    for word in ["name", "address", "district", "village", "month", "quarter", "age", "group", "sex",
                 "female", "region", "parent", "child", "page", "list", "wasting", "underweight", "by"]:
        assert word in ENGLISH, word
    assert not english_in(["Sesi posyandu", "Dasbor", "Prevalensi stunting 12,3%", "Kota Bontang"])
    assert english_in(["child_id"], identifiers=True)


def test_every_page_and_xlsx_speaks_indonesian(demo, missing_msgids):
    problems: list[str] = []
    visited: set[str] = set()
    for username in [u.username for u in demo.users if u.role != "desa"]:  # desa is like kecamatan
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for name, url in page_urls(client, user):
            visited.add(name)
            for query in ({}, {"format": "xlsx"}, {"download": "1"}):
                response = client.get(url, query)
                if response.status_code >= 500:
                    problems.append(f"{username} GET {url} {query} -> {response.status_code}")
                elif response.status_code == 200:
                    problems += [f"{username} {p}" for p in problems_of(response, url)]
    # The walker must reach the pages that matter, or the guard guards nothing.
    assert {"web:home", "registry:child_list", "registry:child_detail", "analytics:dashboard",
            "analytics:bnba", "measurements:session", "audit:list"} <= visited, visited
    assert not (missing_msgids or problems), (
        "msgids without an Indonesian translation:\n" + "\n".join(sorted(missing_msgids))
        + "\nEnglish in Indonesian mode:\n" + "\n".join(sorted(set(problems))))


def test_login_error_and_error_pages_speak_indonesian(demo, missing_msgids):
    client = Client(raise_request_exception=False)
    problems = []
    cadre = User.objects.get(role="cadre")
    response = client.post("/accounts/login/", {"username": cadre.username, "password": "salah"})
    html = response.content.decode()
    assert "nama pengguna nama pengguna" not in html.lower()
    problems += problems_of(response, "login (wrong password)")
    client.force_login(cadre)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "tidak ditemukan" in response.content.decode()
    assert "tumbuh.css" in response.content.decode()  # styled like every page
    problems += problems_of(response, "404")
    response = client.get("/indicators/", {"region": "\x00"})  # refused before the view (400.html)
    assert response.status_code == 400
    assert "Permintaan tidak sah" in response.content.decode()
    problems += problems_of(response, "400")
    from django.test import RequestFactory
    from django.views.defaults import permission_denied, server_error

    request = RequestFactory().get("/x/")
    request.user = cadre
    response = permission_denied(request, exception=None)
    assert "Akses ditolak" in response.content.decode()
    problems += problems_of(response, "403")
    response = server_error(request)
    assert "Terjadi kesalahan" in response.content.decode()
    problems += problems_of(response, "500")
    assert not missing_msgids, "\n".join(sorted(missing_msgids))
    assert not problems, "\n".join(problems)


def test_bnba_sex_is_l_or_p(demo, client):
    # One letter escapes the word check, so the BNBA's sex column is checked by itself.
    client.force_login(User.objects.get(role="kabupaten"))
    html = client.get("/analytics/bnba/", {"category": "stunted"}).content.decode()
    cells = re.findall(r'<td class="muted">[^<]*</td><td>([^<]*)</td>', html)
    assert cells and set(cells) <= {"L", "P"}, cells


def test_every_model_has_an_indonesian_name():
    """The audit log, the admin and every error naming a record show the model's verbose_name: a
    model without one shows its class name split into English words ("breastfeeding month")."""
    from django.apps import apps
    from django.utils import translation

    official = {"regions.Puskesmas", "regions.Posyandu"}  # the same word in both languages
    untranslated = []
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("tumbuh.") or label in official:
            continue
        with translation.override("en"):
            english = str(model._meta.verbose_name)
        with translation.override("id"):
            indonesian = str(model._meta.verbose_name)
        if indonesian == english:
            untranslated.append(f"{label}: {english!r}")
    assert not untranslated, untranslated


def test_every_model_names_its_plural_in_indonesian():
    """The admin's lists and the audit filter name models in the plural: without an explicit
    verbose_name_plural Django appends an English "s" ("kelahirans", "rapats")."""
    from django.apps import apps
    from django.utils import translation

    official = {"regions.Puskesmas", "regions.Posyandu"}
    problems = []
    for model in apps.get_models():
        meta, label = model._meta, model._meta.label
        if not model.__module__.startswith("tumbuh."):
            continue
        if "verbose_name_plural" not in meta.original_attrs:
            problems.append(f"{label}: no verbose_name_plural")
            continue
        with translation.override("en"):
            english = str(meta.verbose_name_plural)
        with translation.override("id"):
            indonesian, singular = str(meta.verbose_name_plural), str(meta.verbose_name)
        if indonesian == english and label not in official:
            problems.append(f"{label}: plural {english!r} untranslated")
        elif indonesian == singular + "s":
            problems.append(f"{label}: {indonesian!r}")
    assert not problems, problems


def test_seeded_reference_figures_are_written_in_indonesian(db):
    """The published figures Tumbuh seeds (analytics.services) show their notes and targets' notes
    on the dashboard as typed: they are data, not msgids, so the page walk's catalogue check
    does not see them unless the walk's world seeds them."""
    from tumbuh.analytics.services import BONTANG_FIGURES, NATIONAL_TARGETS

    texts = [f[5] for f in BONTANG_FIGURES if f[5]] + [f[3] for f in BONTANG_FIGURES if f[3]]
    texts += [t[3] for t in NATIONAL_TARGETS]
    assert texts and not english_in(texts), english_in(texts)
