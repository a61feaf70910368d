import pytest
from django.core.management import CommandError, call_command

from tumbuh.cli import main
from tumbuh.imports.models import ImportBatch

from .helpers import ugly_file

pytestmark = pytest.mark.django_db


def test_tumbuh_import_eppgbm_from_the_command_line(kota_user, tmp_path, capsys, django_user_model, monkeypatch):
    # Django's run_from_argv closes every connection when a command ends; on PostgreSQL that
    # would close the test's own transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    django_user_model.objects.create_superuser("admin", password="x-pass-12345")
    path, rows, _n = ugly_file(tmp_path, "csv_semicolon")
    main(["import", "eppgbm", str(path), "--region", "64.74", "--user", "tpps_bontang"])
    out = capsys.readouterr()
    batch = ImportBatch.objects.get()
    assert batch.user == kota_user
    assert f"{batch.imported} imported" in out.out and "unknown desa: BONTANG UTARA / Antah Berantah" in out.out
    assert "rows" in out.err  # the tqdm progress bar


def test_command_refuses_a_region_outside_the_users_scope(desa_user, tmp_path):
    path, _rows, _n = ugly_file(tmp_path, "csv_comma")
    with pytest.raises(CommandError, match="tidak berada di wilayah Anda"):
        call_command("import", "eppgbm", str(path), "--region", "64.74", "--user", desa_user.username)
    assert ImportBatch.objects.count() == 0


def test_command_reports_a_failed_file(kota_user, tmp_path):
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 truncated")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import", "eppgbm", str(path), "--region", "64.74", "--user", kota_user.username,
                     "--no-progress")
    assert ImportBatch.objects.get().status == "failed"
