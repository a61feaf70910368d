"""Demo semester reports for the synthetic demo kota (called from `tumbuh demo`), for the last
complete semester: a deadline for the kecamatan reports, one kecamatan's report finalised and
submitted in time, one still a draft, one not started (late once the deadline passes), and the
kota's own draft with the submitted report rolled up. Synthetic; rebuilt on each run."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tumbuh.accounts.models import Role, User
from tumbuh.analytics.periods import Period
from tumbuh.regions.models import Region, within

from . import services
from .models import RenderJob, SemesterReport, Status


@transaction.atomic
def seed(region: Region | str, today: dt.date | None = None) -> dict | None:
    from tumbuh.coordination.models import Deadline
    from tumbuh.coordination.services import add_deadline

    if not isinstance(region, Region):
        region = Region.objects.filter(code=region).first()
        if region is None:
            return None
    today = today or dt.date.today()
    kota_user = User.objects.filter(role=Role.KABUPATEN, region=region).first()
    if kota_user is None:
        return None
    RenderJob.objects.filter(within("region_id", region.code)).delete()
    SemesterReport.objects.filter(within("region_id", region.code)).delete()
    period = Period.containing(today, "semester").previous()
    roman = "I" if period.index == 1 else "II"
    title = f"Laporan semester {roman} kecamatan ke kota"
    Deadline.objects.filter(region=region, title=title).delete()
    due = period.end + dt.timedelta(days=20)
    add_deadline(kota_user, region=region, title=title, due_date=due)
    kecamatan = list(Region.objects.filter(parent=region).order_by("code"))
    texts = [
        ("Cakupan penimbangan di dua kelurahan di bawah 80%; sebagian kader belum memakai antropometri kit standar.",
         "Sweeping balita yang tidak datang bersama kader dan bidan; pelatihan pengukuran ulang bagi kader."),
        ("Data ibu hamil KEK belum lengkap di posyandu; rujukan balita 2T belum tercatat.",
         "Verifikasi data bumil bersama puskesmas; pencatatan rujukan di buku KIA dan Tumbuh."),
    ]
    made = {"submitted": 0, "draft": 0}
    for i, kec in enumerate(kecamatan[:2]):
        user = User.objects.filter(role=Role.KECAMATAN, region=kec).first()
        if user is None:
            continue
        report = services.create_report(user, region=kec, year=period.year, semester=period.index)
        services.update_texts(user, report, problems=texts[i][0], follow_up=texts[i][1])
        if i == 0:
            report = services.finalise(user, report)
            report = services.submit(user, report)
            # Submitted in time (the demo is built after the fact).
            SemesterReport.objects.filter(pk=report.pk).update(
                submitted_at=dt.datetime.combine(due - dt.timedelta(days=3), dt.time(9, 30), tzinfo=dt.UTC))
            made["submitted"] += 1
        else:
            made["draft"] += 1
    kota = services.create_report(kota_user, region=region, year=period.year, semester=period.index)
    services.update_texts(kota_user, kota, problems="Prevalensi turun, tetapi cakupan D/S belum merata antar kecamatan.",
                          follow_up="Rakor TPPS membahas kecamatan dengan cakupan terendah.")
    services.roll_up(kota_user, kota)
    return {"period": period.key, **made, "status": Status.DRAFT}
