"""Reports benchmark (issue 13): the semester report of a kabupaten with 50,000 children and
600,000 measurements (the generated kabupaten of bench_analytics), rendered as the background job
does it (compute every section, lay out the HTML, print the PDF with WeasyPrint), plus the xlsx.

    .venv/bin/python bench/bench_reports.py        # SQLite in /tmp (BENCH_DATABASE_URL to change)

Data generation and the summary rebuild are not timed. Target: the PDF in under 20 s.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/tumbuh-bench-reports.sqlite3"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
os.environ["TUMBUH_TASKS_BACKEND"] = "immediate"


def generate(ba, label: str) -> None:
    """bench_analytics.generate, with the measurement columns added since it was written
    (values_confirmed, NOT NULL): its raw INSERT predates them."""
    import inspect

    from tumbuh.measurements.models import Measurement

    source = inspect.getsource(ba.generate)
    if "values_confirmed" not in source and any(f.name == "values_confirmed" for f in Measurement._meta.fields):
        source = source.replace('"measurer_name", "created_at"', '"measurer_name", "values_confirmed", "created_at"')
        source = source.replace('"[]", "", now, now', '"[]", "", False, now, now')
    namespace = dict(vars(ba))
    exec(compile(source, ba.__file__, "exec"), namespace)  # noqa: S102 - the repository's own bench code
    namespace["generate"](label)


def main() -> None:
    import django

    django.setup()
    import bench_analytics as ba
    from django.core.management import call_command
    from django.db import connection

    from tumbuh.accounts.models import Role, User
    from tumbuh.analytics.models import PeriodSummary
    from tumbuh.analytics.periods import Period
    from tumbuh.analytics.summary import refresh_summaries
    from tumbuh.measurements.models import Measurement
    from tumbuh.regions.models import Region, within
    from tumbuh.reports import services
    from tumbuh.reports.models import JobKind, RenderJob
    from tumbuh.reports.tasks import produce

    label = f"reports on {connection.vendor}"
    call_command("migrate", verbosity=0)
    generate(ba, label)
    if not PeriodSummary.objects.filter(within("desa_id", ba.KAB)).exists():
        t = time.perf_counter()
        refresh_summaries(region_code=ba.KAB)
        print(f"[{label}] (not timed) summary rebuilt in {time.perf_counter() - t:.0f} s")
    kab = Region.objects.get(code=ba.KAB)
    last = Measurement.objects.filter(within("desa_id", ba.KAB)).order_by("-measured_on").values_list(
        "measured_on", flat=True).first()
    period = Period.containing(last, "semester")
    user, _ = User.objects.get_or_create(username=f"bench-report-{ba.KAB}",
                                         defaults={"role": Role.KABUPATEN, "region_id": ba.KAB})
    children = Measurement.objects.filter(within("desa_id", ba.KAB)).values("child_id").distinct().count()
    report = services.create_report(user, region=kab, year=period.year, semester=period.index)
    print(f"[{label}] {kab.name} ({ba.KAB}): {children:,} children, semester {period.key}, "
          f"{Region.objects.filter(within('code', ba.KAB), level='desa').count()} desa")
    for kind in (JobKind.SEMESTER_PDF, JobKind.SEMESTER_XLSX):
        times = []
        for _i in range(2):
            job = RenderJob.objects.create(kind=kind, region=kab, report=report, requested_by=user)
            t = time.perf_counter()
            content, name, _type = produce(job, lambda p, m="": None)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        services.compute(report)
        compute = time.perf_counter() - t
        print(f"[{label}] {kind}: {min(times):.1f} s best / {max(times):.1f} s worst of 2 "
              f"({len(content) / 1024:.0f} KiB, {name}); of which computing the sections {compute:.1f} s"
              + ("  target < 20 s" if kind == JobKind.SEMESTER_PDF else ""))
    print(f"[{label}] load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
