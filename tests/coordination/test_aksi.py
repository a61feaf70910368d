import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.analytics.testing import make_child, measure
from tumbuh.coordination import framework as fw
from tumbuh.coordination import services
from tumbuh.coordination.models import AksiRecord, Evidence

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_eight_actions_until_2025_four_from_2026_old_years_kept(world):
    kota = world["kota"]
    old = services.ensure_year(kota, 2025)
    new = services.ensure_year(kota, 2026)
    assert [r.number for r in old] == list(range(1, 9))
    assert [r.number for r in new] == [1, 2, 3, 4]
    assert {r.framework for r in old} == {"aksi8"} and {r.framework for r in new} == {"aksi4"}
    # Reading 2025 again after 2026 exists still gives its eight actions, with their own names.
    again = AksiRecord.objects.filter(region=kota, year=2025).order_by("number")
    assert again.count() == 8 and again[6].action.name.startswith("Pengukuran")
    assert old[0].lead.code == "BAPPEDA" and old[6].lead.code == "DINKES"
    assert fw.by_code("aksi8").action(7).due_months == (2, 8)


def test_only_the_kota_team_edits_its_actions(world):
    rec = services.ensure_year(world["kota"], 2025)[0]
    with pytest.raises(PermissionDenied):
        services.update_aksi(world["users"]["other"], rec, status="selesai", lead=None, notes="")
    with pytest.raises(PermissionDenied):
        services.update_aksi(world["users"]["utara"], rec, status="selesai", lead=None, notes="")
    services.update_aksi(world["users"]["kota"], rec, status="selesai", lead=rec.lead, notes="SK lokus terbit")
    rec.refresh_from_db()
    assert rec.status == "selesai"


def _upload(name, content, ctype="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=ctype)


def test_upload_stored_on_disk_with_a_random_name(world, settings):
    rec = services.ensure_year(world["kota"], 2025)[0]
    ev = services.add_evidence(world["users"]["kota"], _upload("..\\..\\etc\\analisis situasi.pdf", PDF), aksi=rec)
    assert ev.original_name == "analisis situasi.pdf"
    path = ev.file.path
    assert path.startswith(str(settings.MEDIA_ROOT / "coordination" / "64.74"))
    assert ".." not in ev.file.name and "etc" not in ev.file.name
    with open(path, "rb") as fh:
        assert fh.read() == PDF


@pytest.mark.parametrize("name, content, message", [
    ("laporan.exe", b"MZ\x90\x00", "Hanya PDF"),
    ("laporan.pdf", b"<html>not a pdf</html>", "tidak sesuai"),
    ("foto.png", PDF, "tidak sesuai"),
    ("kosong.pdf", b"", "kosong"),
    ("..\\..\\", PDF, "Nama berkas"),
])
def test_upload_rejects_wrong_type_and_content(world, name, content, message):
    rec = services.ensure_year(world["kota"], 2025)[0]
    with pytest.raises(ValidationError) as err:
        services.add_evidence(world["users"]["kota"], _upload(name, content), aksi=rec)
    assert message in " ".join(err.value.messages)
    assert Evidence.objects.count() == 0


def test_upload_rejects_too_large(world, settings):
    settings.COORDINATION_MAX_UPLOAD_MB = 1
    rec = services.ensure_year(world["kota"], 2025)[0]
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as err:
        services.add_evidence(world["users"]["kota"], _upload("besar.pdf", big), aksi=rec)
    assert "1 MB" in err.value.messages[0]


def test_upload_through_the_page_and_download_scoped(client, world):
    rec = services.ensure_year(world["kota"], 2025)[2]
    client.force_login(world["users"]["kota"])
    r = client.post(f"/coordination/aksi/{rec.pk}/", {"upload": "1", "file": _upload("notulen.pdf", PDF),
                                                       "description": "Notulen rembuk"})
    assert r.status_code == 302
    ev = Evidence.objects.get()
    assert client.get(f"/coordination/evidence/{ev.pk}/").status_code == 200
    bad = client.post(f"/coordination/aksi/{rec.pk}/", {"upload": "1", "file": _upload("x.pdf", b"GIF89a")})
    assert "tidak sesuai" in bad.content.decode()
    client.force_login(world["users"]["other"])
    assert client.get(f"/coordination/evidence/{ev.pk}/").status_code == 404
    assert client.get(f"/coordination/aksi/{rec.pk}/").status_code == 404
    client.force_login(world["users"]["prov"])
    assert client.get(f"/coordination/aksi/{rec.pk}/").status_code == 200
    assert client.post(f"/coordination/aksi/{rec.pk}/", {"status": "selesai"}).status_code == 403


def test_aksi7_attaches_measurement_coverage_and_prevalence_per_desa(client, world):
    a = make_child(world["kuala"], world["pos_kuala"], born=dt.date(2023, 1, 10))
    b = make_child(world["kuala"], world["pos_kuala"], born=dt.date(2023, 3, 10))
    make_child(world["tanjung"], world["pos_tanjung"], born=dt.date(2023, 3, 10))
    measure(a, dt.date(2025, 2, 10), haz=-2.5, waz=-1, whz=0, bmiz=0)
    measure(b, dt.date(2025, 2, 12), haz=-0.5, waz=-1, whz=0, bmiz=0)
    rec = services.ensure_year(world["kota"], 2025)[6]
    client.force_login(world["users"]["kota"])
    page = client.get(f"/coordination/aksi/{rec.pk}/")
    from tumbuh.coordination.data_evidence import measurement_publication

    feb = measurement_publication(world["kota"], 2025)["rounds"][0]
    assert feb["period"] == "2025-B02"
    by = {d["name"]: d for d in feb["desa"]}
    assert by["Bontang Kuala"]["measured"] == 2 and by["Bontang Kuala"]["registered"] == 2
    assert by["Bontang Kuala"]["prevalence"] == 50.0 and by["Bontang Kuala"]["coverage"] == 100.0
    assert by["Tanjung Laut"]["measured"] == 0 and by["Tanjung Laut"]["coverage"] == 0.0
    html = page.content.decode()
    assert 'id="auto-evidence"' in html and "Bontang Kuala" in html and "50,0%" in html
