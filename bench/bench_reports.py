"""Reports benchmark (issue 13): the semester report of a kabupaten with 50,000 children and
600,000 measurements (the generated kabupaten of bench_analytics), rendered as the background job
does it (compute every section, lay out the HTML, print the PDF with WeasyPrint), plus the xlsx.

    .venv/bin/python bench/bench_reports.py            # SQLite in /tmp (BENCH_DATABASE_URL to change)
    .venv/bin/python bench/bench_reports.py --profile  # plus cProfile of the sections and of WeasyPrint

Data generation, the summary rebuild and the daily convergence refresh are not timed. Printed:
wall and process CPU time (the fair figure on a shared machine) and the load average.
Target: the PDF in under 20 s.
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
    ba.generate(label)
    if not PeriodSummary.objects.filter(within("desa_id", ba.KAB)).exists():
        t = time.perf_counter()
        refresh_summaries(region_code=ba.KAB)
        print(f"[{label}] (not timed) summary rebuilt in {time.perf_counter() - t:.0f} s")
    kab = Region.objects.get(code=ba.KAB)
    try:  # the daily convergence refresh (cron) is not what is measured
        from tumbuh.convergence.services import ensure_fresh

        t = time.perf_counter()
        ensure_fresh(ba.KAB)
        print(f"[{label}] (not timed) convergence refresh {time.perf_counter() - t:.0f} s")
    except ImportError:
        pass
    last = Measurement.objects.filter(within("desa_id", ba.KAB)).order_by("-measured_on").values_list(
        "measured_on", flat=True).first()
    period = Period.containing(last, "semester")
    user, _ = User.objects.get_or_create(username=f"bench-report-{ba.KAB}",
                                         defaults={"role": Role.KABUPATEN, "region_id": ba.KAB})
    children = Measurement.objects.filter(within("desa_id", ba.KAB)).values("child_id").distinct().count()
    report = services.create_report(user, region=kab, year=period.year, semester=period.index)
    print(f"[{label}] {kab.name} ({ba.KAB}): {children:,} children, semester {period.key}, "
          f"{Region.objects.filter(within('code', ba.KAB), level='desa').count()} desa")
    from tumbuh.reports import render

    def timed(fn):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w, time.process_time() - c

    if "--profile" in sys.argv:  # where the time goes: the sections' numbers, then WeasyPrint alone
        import cProfile
        import pstats

        html = render.semester_html(report, services.compute(report), user)
        for what, fn in (("computing the sections", lambda: services.compute(report)),
                         ("WeasyPrint", lambda: render.pdf_bytes(html))):
            prof = cProfile.Profile()
            prof.enable()
            fn()
            prof.disable()
            print(f"\n[{label}] profile: {what} (top 30 by cumulative time)")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    for kind in (JobKind.SEMESTER_PDF, JobKind.SEMESTER_XLSX):
        runs = []
        for _i in range(3):
            job = RenderJob.objects.create(kind=kind, region=kab, report=report, requested_by=user)
            (content, name, _type), wall, cpu = timed(lambda job=job: produce(job, lambda p, m="": None))
            runs.append((wall, cpu))
        best = min(runs)
        print(f"[{label}] {kind}: wall {best[0]:.1f} s best / {max(runs)[0]:.1f} s worst of 3, process CPU "
              f"{best[1]:.1f} s ({len(content) / 1024:.0f} KiB, {name})"
              + ("  target < 20 s" if kind == JobKind.SEMESTER_PDF else "") + f"; load {os.getloadavg()[0]:.2f}")
    # The phases of one PDF, each timed alone: the sections' numbers, the HTML, WeasyPrint.
    data, w1, c1 = timed(lambda: services.compute(report))
    html, w2, c2 = timed(lambda: render.semester_html(report, data, user))
    pdf, w3, c3 = timed(lambda: render.pdf_bytes(html))
    print(f"[{label}] phases: sections {w1:.1f} s wall / {c1:.1f} s CPU; HTML {w2:.1f} / {c2:.1f}; "
          f"WeasyPrint {w3:.1f} / {c3:.1f} ({len(html) / 1024:.0f} KiB HTML, {len(pdf) / 1024:.0f} KiB PDF)")
    per = {}
    from tumbuh.reports import sections as rs

    ctx = rs.Context(region=kab, period=period, today=__import__("datetime").date.today(), report=report)
    for section in rs.SECTIONS:
        _out, w, c = timed(lambda section=section: section.build(ctx))
        per[section.code] = (w, c)
    print(f"[{label}] per section (wall/CPU s): " + ", ".join(f"{k} {w:.1f}/{c:.1f}" for k, (w, c) in per.items()))
    print(f"[{label}] load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
