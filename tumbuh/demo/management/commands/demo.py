import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from tumbuh.demo import services
from tumbuh.regions.loading import RegionDataMissing


class Command(BaseCommand):
    help = (
        "Build a synthetic demo region: a real kota's Kemendagri codes (default Kota Bontang, "
        "64.74) with puskesmas, posyandu, families, ~10,000 children under five with monthly "
        "measurements from the WHO tables, and one user per role. Synthetic names only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--region", default="64.74", help="kabupaten/kota or kecamatan code")
        parser.add_argument("--months", type=int, default=24, help="months of measurement history")
        parser.add_argument("--reset", action="store_true", help="delete earlier demo data first")
        parser.add_argument("--password", default=services.DEFAULT_PASSWORD, help="shared password of the demo users")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="pretend today is this date (YYYY-MM-DD)")

    def handle(self, *args, children, seed, region, months, reset, password, today, **options):
        if children < 1 or not 1 <= months <= 60:
            raise CommandError("--children must be positive and --months between 1 and 60")
        started = time.perf_counter()
        if services.migrate_if_needed():
            self.stdout.write("Database migrated.")
        if services.demo_exists(region):
            if not reset:
                self.stdout.write(
                    f"Demo data already present in {region} "
                    f"({services.demo_children_count(region)} children); nothing to do. "
                    "Run with --reset to rebuild it."
                )
                return
            removed = services.reset_demo(region)
            self.stdout.write(f"Removed earlier demo data ({removed} people).")
        elif reset and services.demo_users().exists():
            services.demo_users().delete()
        try:
            summary = services.create_demo(
                region, children=children, seed=seed, months=months, today=today, password=password
            )
        except (RegionDataMissing, services.DemoError) as exc:
            raise CommandError(str(exc)) from exc
        self.report(summary, password, time.perf_counter() - started)
        self.seed_reference_figures()
        self.seed_coordination(region, today)
        self.seed_indicators(region, today)
        self.seed_reports(region, today)

    def seed_reports(self, region, today):
        try:
            from tumbuh.reports.demo import seed
        except ImportError:
            return
        seeded = seed(region, today)
        if seeded:
            self.stdout.write(f"Reports: semester {seeded['period']}, {seeded['submitted']} kecamatan report submitted, "
                              f"{seeded['draft']} in draft, the kota's draft with it rolled up.")

    def report(self, summary, password, seconds):
        latest = summary.latest
        out = self.stdout.write
        out(
            f"\nDemo region {summary.region.code} {summary.region.name}: {summary.puskesmas} puskesmas, "
            f"{summary.posyandu} posyandu, {summary.households} households, {summary.mothers} mothers, "
            f"{summary.children} children under five, {summary.measurements} measurements."
        )
        stunting = services.rate(latest.laz, latest.laz_flag)
        out(
            f"Latest measurement per child: stunting (TB/U < -2) {stunting:.1%}, "
            f"wasting (BB/TB < -2) {services.rate(latest.wflz, latest.wfl_flag):.1%}, "
            f"underweight (BB/U < -2) {services.rate(latest.waz, latest.waz_flag):.1%}."
        )
        names = dict(summary.region.children.values_list("code", "name"))
        for kecamatan, rows in latest.groupby("kecamatan"):
            out(f"  {names.get(kecamatan, kecamatan):<24} stunting {services.rate(rows.laz, rows.laz_flag):.1%} ({len(rows)} children)")
        if summary.targets:
            out("Target groups: " + ", ".join(f"{v} {k}" for k, v in summary.targets.items()) + ".")
        if summary.interventions:
            out("Interventions: " + ", ".join(f"{v} {k}" for k, v in summary.interventions.items()) + ".")
        if summary.convergence:
            out("Convergence: " + ", ".join(f"{v} {k}" for k, v in summary.convergence.items()) + ".")
        out(f"\nDemo users (password: {password}):")
        out(f"  {'username':<24} {'role':<10} scope")
        for user in summary.users:
            note = "" if user.created else "  (existing user kept; password not changed)"
            out(f"  {user.username:<24} {user.role:<10} {user.scope}{note}")
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in summary.timings.items())
        out(f"\nDone in {seconds:.1f}s ({steps}).")

    def seed_coordination(self, region, today):
        try:
            from tumbuh.coordination.demo import seed
        except ImportError:
            return
        seeded = seed(region, today)
        if seeded:
            self.stdout.write(f"Coordination: 8 aksi with evidence, {seeded['meetings']} meetings, "
                              f"{seeded['commitments']} commitments.")

    def seed_indicators(self, region, today):
        from tumbuh.indicators.demo import seed

        seeded = seed(region, today)
        self.stdout.write(f"Indicators: Dana Desa for {seeded['desa']} desa, {seeded['lokus']} lokus.")

    def seed_reference_figures(self):
        try:
            from tumbuh.analytics.services import seed_reference_figures
        except ImportError:
            return
        seed_reference_figures()
