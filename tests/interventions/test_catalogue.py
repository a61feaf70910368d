"""The shipped catalogue: every code the issue names, with its source; loading is idempotent and
keeps local rows; catalogue_for resolves the nearest override."""

import io

from django.core.management import call_command

from tumbuh.interventions.catalogue import load_catalogue, shipped, shipped_codes
from tumbuh.interventions.models import CatalogueItem
from tumbuh.interventions.selectors import catalogue_for
from tumbuh.regions.models import Region

ISSUE_CODES = {"PMT-BALITA", "PMT-BUMIL", "TTD-BUMIL", "TTD-REMAJA", "TTD-CATIN", "ANC", "VIT-A", "IMUNISASI-DASAR",
               "TATA-LAKSANA-GIZI-BURUK", "RUJUKAN", "RUMAH-SINGGAH-GIZI", "KIE-PENGASUHAN", "KB-PASCASALIN",
               "PENDAMPINGAN-TPK", "JKN-PBI", "BANSOS-PKH", "BANSOS-BPNT", "AIR-MINUM", "JAMBAN", "RUMAH-LAYAK",
               "PANGAN-IKAN", "KRPL", "BAAS", "CSR"}


def test_shipped_file_has_every_code_with_a_known_source():
    assert ISSUE_CODES <= set(shipped_codes())
    keys = set(shipped()["sources"])
    for item in shipped()["items"]:
        assert item["source"] and {s.strip() for s in item["source"].split(",")} <= keys, item["code"]
        assert item["kind"] in ("spesifik", "sensitif") and item["unit"]
    pmt = next(i for i in shipped()["items"] if i["code"] == "PMT-BALITA")
    assert pmt["course_days"] == [56, 90, 120]


def test_loading_is_idempotent_and_keeps_local_rows(db):
    assert CatalogueItem.objects.filter(region__isnull=True).count() == len(shipped_codes())  # migration 0002
    assert load_catalogue() == 0
    prov = Region.objects.create(code="64", name="Kalimantan Timur", level="provinsi")
    kota = Region.objects.create(code="64.74", name="Kota Bontang", level="kabupaten", parent=prov)
    national = CatalogueItem.objects.get(code="PMT-BALITA", region__isnull=True)
    national.name = "diubah"
    national.save()
    fields = {f: getattr(national, f) for f in ("kind", "target_group", "unit")}
    CatalogueItem.objects.create(code="PMT-BALITA", region=prov, name="PMT provinsi", course_days=[90], **fields)
    CatalogueItem.objects.create(code="PMT-BALITA", region=kota, name="PMT kota", course_days=[120], **fields)
    CatalogueItem.objects.create(code="KELAS-GIZI", region=prov, name="Kelas gizi", default_agency_code="DINKES",
                                 **fields)
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert "1 changed" in out.getvalue()
    assert CatalogueItem.objects.get(code="PMT-BALITA", region__isnull=True).name != "diubah"
    assert catalogue_for("64.74.01.1001")["PMT-BALITA"].name == "PMT kota"  # the kota's row wins
    assert catalogue_for("64.72")["PMT-BALITA"].name == "PMT provinsi"
    assert catalogue_for(None)["PMT-BALITA"].region_id is None and "KELAS-GIZI" not in catalogue_for(None)
    assert "KELAS-GIZI" in catalogue_for("64.74")
