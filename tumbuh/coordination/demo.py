"""Demo coordination data for the synthetic demo kota (called from `tumbuh demo`): a year of the
8 aksi with evidence, the current year's four aksi under way, three meetings with commitments of
the kinds the seed articles name (Operasi Timbang, 562 PMT packages, Miniloka at 3 of 10
puskesmas, performance report by 20 December, central data entry by 15 January), some met, some
overdue, deadlines, and a reviewed performance assessment. Synthetic; rebuilt on each run."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction

from tumbuh.accounts.models import User
from tumbuh.regions.models import Region, within

from . import framework as fw
from . import services
from .models import (
    AksiRecord,
    Assessment,
    Commitment,
    Deadline,
    Evidence,
    Meeting,
)


def _pdf(title: str) -> bytes:
    text = title.replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 50 780 Td ({text}) Tj ET".encode("latin-1", "replace")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def _evidence(user, aksi, name: str, title: str):
    upload = ContentFile(_pdf(title), name=name)
    services.add_evidence(user, upload, aksi=aksi, description=title)


def reset(region: Region) -> None:
    Commitment.objects.filter(within("region_id", region.code)).delete()
    Meeting.objects.filter(within("region_id", region.code)).delete()
    for ev in Evidence.objects.filter(within("region_id", region.code)):
        ev.file.delete(save=False)
        ev.delete()
    AksiRecord.objects.filter(region=region).delete()
    Deadline.objects.filter(within("region_id", region.code)).delete()
    Assessment.objects.filter(region=region).delete()


@transaction.atomic
def seed(region_code: str, today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    region = Region.objects.get(code=region_code)
    if region.level != Region.Level.KABUPATEN:
        return {}
    kota_user = User.objects.filter(role="kabupaten", region=region).order_by("pk").first()
    prov_user = User.objects.filter(role="provinsi", region_id=region.code.split(".")[0]).order_by("pk").first()
    kec_user = User.objects.filter(role="kecamatan", region__parent=region).order_by("pk").first()
    if kota_user is None:
        return {}
    reset(region)
    agencies = services.ensure_agencies(region)
    last, year = today.year - 1, today.year

    # A year of the aksi (the last year under the 8-aksi framework when today is 2026).
    for rec in services.ensure_year(region, last):
        action = rec.action
        services.update_aksi(kota_user, rec, status="selesai", lead=rec.lead, notes=f"Selesai {last}.")
        for i, output in enumerate(action.outputs[:2], start=1):
            _evidence(kota_user, rec, f"aksi{rec.number}-{i}.pdf", f"Aksi {rec.number} {last}: {output}")
    for rec in services.ensure_year(region, year):
        due = max(rec.action.due_months) if rec.action.due_months else 12
        status = "selesai" if due < today.month else ("berjalan" if min(rec.action.due_months or [1]) <= today.month else "belum")
        services.update_aksi(kota_user, rec, status=status, lead=rec.lead, notes="")
        if status == "selesai":
            _evidence(kota_user, rec, f"aksi{rec.number}-{year}.pdf", f"Aksi {rec.number} {year}: {rec.action.outputs[0]}")

    def meeting(kind, title, day, chair, venue, invited, attending, minutes, decisions):
        m = services.create_meeting(kota_user, region=region, kind=kind, title=title, date=day, chair=chair,
                                    venue=venue, agenda="", invited=invited, attending=attending)
        m.minutes, m.decisions = minutes, decisions
        m.save(update_fields=["minutes", "decisions"])
        return m

    def commit(m, agency, what, due, *, status="belum", owner=None, **kw):
        return services.add_commitment(kota_user, region=region, meeting=m, agency=agencies[agency], what=what,
                                       due_date=due, status=status, owner=owner, **kw)

    opd = "Bappeda, Dinkes, DPPKB, DPMD, Dinsos, PUPR, DKP, Diskominfo, camat, lurah, kepala puskesmas, PLKB, TPK"
    m1 = meeting("rakor", f"Rakor TPPS Kota Semester I {last}", dt.date(last, 7, 26), "Wakil Wali Kota (Ketua TPPS)",
                 "Aula Bappeda", opd, opd + "; mitra CSR",
                 "Paparan data prevalensi EPPGBM dan cakupan penimbangan per kelurahan. Evaluasi semester I per bidang TPPS.",
                 "1. Operasi Timbang serentak Agustus.\n2. Laporan kinerja paling lambat 20 Desember.\n3. Entri data pusat paling lambat 15 Januari.")
    commit(m1, "DINKES", f"Operasi Timbang serentak Agustus {last}: cakupan penimbangan minimal 85%",
           dt.date(last, 8, 31), status="selesai", owner=kota_user, metric="percent_measured",
           metric_period=f"{last}-B08", target=85, unit="%", apbd_subactivity="Pengelolaan pelayanan kesehatan gizi masyarakat")
    commit(m1, "SETDA", "Laporan kinerja TPPS ke provinsi", dt.date(last, 12, 20), status="selesai", reported_value=1,
           target=1, unit="laporan")
    commit(m1, "BAPPEDA", "Entri data aksi konvergensi ke aplikasi pusat", dt.date(year, 1, 15), status="selesai",
           reported_value=8, target=8, unit="aksi")

    m2 = meeting("rembuk", f"Rembuk Stunting Kota {year}", dt.date(year, 3, 14), "Wali Kota", "Auditorium Kantor Wali Kota",
                 opd + "; Forkopimda", opd + "; Forkopimda; akademisi",
                 "Penandatanganan Pernyataan Komitmen Bersama per OPD.", "Komitmen bersama ditandatangani 11 OPD.")
    commit(m2, "DINKES", "Pemberian PMT lokal bagi balita gizi kurang", dt.date(year, 6, 30), status="berjalan",
           reported_value=400, target=562, unit="paket", budget=843_000_000, apbd_subactivity="Penyediaan PMT balita")
    commit(m2, "DINKES", "Lokakarya mini (Miniloka) stunting di puskesmas", dt.date(year, 11, 30), status="berjalan",
           reported_value=3, target=10, unit="puskesmas", owner=kec_user)
    commit(m2, "PUPR", "Jambanisasi dan sanitasi lingkungan di kelurahan lokus", dt.date(year, 10, 31), status="selesai",
           reported_value=120, target=120, unit="jamban", budget=1_200_000_000, apbd_subactivity="Pembangunan sanitasi")
    commit(m2, "DKP", "Pelatihan Kawasan Rumah Pangan Lestari (KRPL) dan bantuan ikan segar", dt.date(year, 9, 30),
           status="belum", target=300, unit="keluarga", budget=250_000_000)
    commit(m2, "DPPKB", "Pendampingan keluarga berisiko stunting oleh TPK", dt.date(year, 12, 31), status="berjalan",
           reported_value=850, target=1200, unit="keluarga")

    day3 = today - dt.timedelta(days=12)
    m3 = meeting("rakor", f"Rakor TPPS Kota Semester II {year}", day3, "Asisten I (Wakil Ketua TPPS)", "Ruang Rapat Bappeda",
                 opd, opd, "Evaluasi capaian semester II; tindak lanjut komitmen yang belum selesai.",
                 "Percepat PMT dan Miniloka yang terlambat; target prevalensi dan cakupan Agustus.")
    commit(m3, "DINKES", f"Prevalensi stunting EPPGBM Agustus {year} di bawah 14% (target nasional)",
           dt.date(year, 12, 31), status="berjalan", metric="stunting_prevalence", metric_period=f"{year}-B08",
           target=14, unit="%")
    commit(m3, "DINKES", f"Cakupan penimbangan Agustus {year} minimal 90%", dt.date(year, 9, 15), status="berjalan",
           metric="percent_measured", metric_period=f"{year}-B08", target=90, unit="%")
    commit(m3, "DISKOMINFO", "Publikasi prevalensi per kelurahan di laman pemerintah kota", today + dt.timedelta(days=20),
           status="belum", target=1, unit="publikasi", owner=kota_user)

    for title, day in [("Data bulan penimbangan masuk EPPGBM paling lambat tanggal 10", today.replace(day=10)),
                       ("Laporan semester II ke Gubernur", dt.date(year, 12, 20)),
                       ("Entri data pusat (aplikasi aksi konvergensi)", dt.date(year + 1, 1, 15))]:
        services.add_deadline(kota_user, region=region, title=title, due_date=day)

    try:
        fw.assessment_config(last)
    except fw.FrameworkMissing:
        pass
    else:
        a = services.ensure_assessment(region, last)
        codes = [i.code for act in fw.by_code(a.framework).actions for i in act.indicators]
        services.save_grades(kota_user, a, {c: "A" if n % 3 else "B" for n, c in enumerate(codes)}, review=False)
        if prov_user:
            services.save_grades(prov_user, a, {c: "A" if n % 4 else "B" for n, c in enumerate(codes)}, review=True,
                                 presentation=86)
    return {"meetings": 3, "commitments": Commitment.objects.filter(within("region_id", region.code)).count()}
