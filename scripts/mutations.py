"""Mutation check: break the rules that matter on purpose, one at a time, in a temporary copy of
the tree, run the tests that should notice, and print which mutations survived.

    .venv/bin/python scripts/mutations.py              # all of them (~15-30 min on 2 cores)
    .venv/bin/python scripts/mutations.py --only scoping --only bnba
    .venv/bin/python scripts/mutations.py --list

Exit status 0 only when every mutation was killed (a test failed). A mutation whose text is no
longer found in the file is reported as STALE and also fails the run: update it when you change
the code it names.

A new context adds its mutations to MUTATIONS below (one `Mutation(...)` each: a name, the
edits, and the tests that must fail). See docs/testing.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATRIX = "tests/test_scoping_matrix.py"


@dataclass(frozen=True)
class Mutation:
    name: str
    edits: tuple[tuple[str, str, str], ...]  # (file, exact old text, new text); old must occur once
    tests: tuple[str, ...]  # pytest arguments (files, node ids, -k expressions)


def M(name: str, file: str, old: str, new: str, *tests: str) -> Mutation:
    return Mutation(name, ((file, old, new),), tests)


def matrix(*url_names: str) -> tuple[str, ...]:
    """The scoping matrix for these URL names only (every role)."""
    return (MATRIX, "-k", " or ".join(f"role_x_view and {n}" for n in url_names))


SCOPING = "tumbuh/accounts/scoping.py"
WHO = "tumbuh/growth/who2006.py"
PREV = "tumbuh/analytics/prevalence.py"

MUTATIONS: list[Mutation] = [
    # -- growth rules ---------------------------------------------------------------------------
    M("growth: 0.7 cm length/height correction becomes 0.6", WHO,
      "out[plus] += 0.7", "out[plus] += 0.6", "tests/growth"),
    M("growth: lying-from-day-731 correction dropped", WHO,
      "out[minus] -= 0.7", "out[minus] -= 0.0", "tests/growth"),
    M("growth: WHO length-for-age flag limit +-6 becomes +-7", WHO,
      '("zlen", "flen", "lhfa", False, (-6, 6)),', '("zlen", "flen", "lhfa", False, (-7, 7)),', "tests/growth"),
    M("growth: WHO weight-for-age upper flag limit 5 becomes 6", WHO,
      '("zwei", "fwei", "wfa", True, (-6, 5)),', '("zwei", "fwei", "wfa", True, (-6, 6)),', "tests/growth"),
    M("growth: WHO weight-for-length flag limits +-5 become +-6", WHO,
      "WFL_FLAG = (-5, 5)", "WFL_FLAG = (-6, 6)", "tests/growth"),
    M("growth: BGM (below the red line) at WAZ < -2 instead of -3", "tumbuh/growth/weight_gain.py",
      "return z < -3", "return z < -2", "tests/growth/test_weight_gain.py", "tests/measurements"),
    M("growth: 2T without the previous T", "tumbuh/growth/weight_gain.py",
      'twice = is_t & (status[prev_safe] == "T") & last_month', "twice = is_t & last_month",
      "tests/growth/test_weight_gain.py", "tests/measurements"),

    # -- scoping predicates, per role -----------------------------------------------------------
    M("scoping: a cadre sees the posyandu's whole desa", SCOPING,
      'return Q(**{f"{prefix}posyandu_id__in": self.posyandu_ids})',
      'return Q(**{f"{prefix}desa_id": self.home_desa})',
      "tests/accounts/test_scoping.py"),
    M("scoping: a cadre's posyandu list holds the whole desa", SCOPING,
      "            return Q(pk__in=self.posyandu_ids)\n",
      "            return Q(desa_id=self.home_desa)\n",
      "tests/accounts/test_scoping.py"),
    M("scoping: a cadre sees every household of the desa (place scope for people)", SCOPING,
      "        if self.region_code and not self.posyandu_ids:\n",
      "        if self.posyandu_ids:\n            return Q(**{f\"{field}_id\": self.home_desa})\n"
      "        if self.region_code and not self.posyandu_ids:\n",
      "tests/accounts/test_scoping.py"),
    M("scoping: a puskesmas officer sees the whole kecamatan", SCOPING,
      'return Q(**{f"{prefix}desa_id__in": self.desa_codes})',
      'return within(f"{prefix}desa__code", self.desa_codes[0].rsplit(".", 1)[0])',
      "tests/accounts/test_scoping.py"),
    M("scoping: region roles see one level wider than their region", SCOPING,
      'return within(f"{prefix}desa__code", self.region_code)',
      'return within(f"{prefix}desa__code", self.region_code.rsplit(".", 1)[0])',
      "tests/accounts/test_scoping.py"),
    M("scoping: a region at the wrong level for the role is trusted", SCOPING,
      "return code if Region.level_of(code) == level else None", "return code",
      "tests/accounts"),
    M("scoping: inactive accounts keep their scope", SCOPING,
      "return bool(user is not None and user.is_authenticated and user.is_active)",
      "return bool(user is not None and user.is_authenticated)",
      "tests/accounts"),
    # (SQLite's branch: the suite runs on SQLite; the PostgreSQL prefix branch is CI's PG run.)
    M("regions: 'within' reaches past the code's own subtree (64.7 contains 64.74)", "tumbuh/regions/models.py",
      'f"{field}__lt": region_code + "/"', 'f"{field}__lt": region_code + "~"',
      "tests/regions", "tests/accounts/test_scoping.py"),

    # -- list views reading unscoped (the matrix must notice) -----------------------------------
    Mutation("bnba: the BNBA lists read people and measurements unscoped", (
        ("tumbuh/analytics/selectors.py", "qs = people_for(user).filter(id__in=ids[i:i + 900]).order_by()",
         "qs = people_for(user).model.objects.filter(id__in=ids[i:i + 900]).order_by()"),
        ("tumbuh/analytics/selectors.py", "qs = measurements_for(user).filter(measured_on__gte=start,",
         "qs = measurements_for(user).model.objects.filter(measured_on__gte=start,"),
        ("tumbuh/analytics/selectors.py", "qs = people_for(user).filter(active=True, birth_date__lte=on,",
         "qs = people_for(user).model.objects.filter(active=True, birth_date__lte=on,"),
    ), matrix("analytics:bnba")),
    M("analytics: the summary cells are read unscoped (dashboard, prevalence)", "tumbuh/analytics/summary.py",
      "qs = PeriodSummary.objects.filter(person_scope_q(user))", "qs = PeriodSummary.objects.all()",
      *matrix("analytics:dashboard", "analytics:prevalence")),
    M("registry: the children list reads people unscoped", "tumbuh/registry/selectors.py",
      "        people_for(user)\n        .filter(active=True, birth_date__gt=under_five_cutoff(on)",
      "        people_for(user).model.objects\n        .filter(active=True, birth_date__gt=under_five_cutoff(on)",
      *matrix("registry:child_list")),
    M("registry: the child page and person edit find people unscoped", "tumbuh/registry/selectors.py",
      "    return people_for(user).select_related(\n        \"desa\", \"desa__parent\"",
      "    return people_for(user).model.objects.select_related(\n        \"desa\", \"desa__parent\"",
      *matrix("registry:child_detail", "registry:person_edit")),
    M("imports: import batches of every region", "tumbuh/imports/selectors.py",
      "return ImportBatch.objects.filter(region__in=regions_for(user))", "return ImportBatch.objects.filter()",
      *matrix("imports:report", "imports:rejected", "imports:upload")),
    M("imports: a review is shown when only the imported child is in scope", "tumbuh/imports/selectors.py",
      'person_scope_q(user, prefix="person__"), person_scope_q(user, prefix="candidate__"),',
      'person_scope_q(user, prefix="person__"),',
      *matrix("imports:reviews", "imports:decide")),
    M("imports: a merge moves only measurements (the rest goes by cascade)", "tumbuh/imports/merging.py",
      "        if label in DERIVED or (model is MatchReview and field.name == \"person\"):",
      "        if label in DERIVED or model is not Measurement:", "tests/imports/test_merging.py"),
    M("imports: an undo leaves the moved rows on the kept child", "tumbuh/imports/merging.py",
      "    for label, pk, attname, place in record[\"moved\"]:", "    for label, pk, attname, place in []:",
      "tests/imports/test_merging.py"),
    M("imports: a cadre may decide a near duplicate", "tumbuh/imports/services.py",
      "    if scope_for(user).is_cadre:\n        raise ImportRefused(", "    if False:\n        raise ImportRefused(",
      "tests/imports/test_merging.py"),
    # -- voiding a person (registry.records, shared with merges) ---------------------------------
    M("registry: a void keeps no cleared links (a mother's children lose her for good)", "tumbuh/registry/records.py",
      "        if rows:\n            links.append(", "        if False:\n            links.append(",
      "tests/registry/test_void.py"),
    M("registry: the voided list is not scoped", "tumbuh/registry/selectors.py",
      "PersonVoid.objects.filter(as_scope(scope).person_q())", "PersonVoid.objects.filter()",
      "tests/registry/test_void.py"),
    M("registry: a cadre may void a person", "tumbuh/registry/services.py",
      "    if scope_for(user).is_cadre:\n        raise VoidRefused(", "    if False:\n        raise VoidRefused(",
      "tests/registry/test_void.py"),
    M("offline: the outbox sends deliveries to the measurements endpoint",
      "tumbuh/measurements/static/measurements/outbox.js",
      'var kinds = ["measurement", "delivery"];', 'var kinds = ["measurement"];',
      "-m", "browser", "tests/browser/test_distribution_offline.py"),
    # The form and the service both refuse (defence in depth): only both broken is a leak.
    Mutation("imports: the upload accepts a region outside the user's area", (
        ("tumbuh/imports/forms.py", "if value and not regions_for(self.user).filter(code=value).exists():",
         "if False:"),
        ("tumbuh/imports/framework.py", "    region = regions_for(user).filter(code=region_code).first()\n",
         "    region = regions_for(user).model.objects.filter(code=region_code).first()\n"),
    ), matrix("imports:upload")),
    M("analytics: the target/figure forms offer every region", "tumbuh/analytics/forms.py",
      "field.queryset = regions.exclude(level=Region.Level.DESA)",
      "field.queryset = Region.objects.exclude(level=Region.Level.DESA)",
      *matrix("analytics:targets", "analytics:boundaries")),
    M("analytics: another region's target or figure can be deleted", "tumbuh/analytics/views.py",
      "if region_id and not regions_for(request.user).filter(code=region_id).exists():", "if False:",
      *matrix("analytics:delete_reference")),
    M("analytics: the targets page lists every region's figures", "tumbuh/analytics/views.py",
      '"figure_rows": ExternalFigure.objects.filter(region__in=allowed).select_related("region"),',
      '"figure_rows": ExternalFigure.objects.select_related("region"),',
      *matrix("analytics:targets")),
    M("measurements: a measurement is edited by id, unscoped", "tumbuh/measurements/views.py",
      'measurement = get_object_or_404(measurements_for(request.user).select_related("child", "posyandu"), pk=pk)',
      'measurement = get_object_or_404(measurements_for(request.user).model.objects.select_related("child", '
      '"posyandu"), pk=pk)',
      *matrix("measurements:edit")),

    # -- prevalence -----------------------------------------------------------------------------
    M("prevalence: WHO-flagged z-scores are not excluded", PREV,
      "            z[flag] = np.nan", "            z[flag] = z[flag]", "tests/analytics"),
    M("prevalence: oedema no longer counts as severe wasting", PREV,
      "prev = np.where(oedema, -3.1, z)", "prev = np.where(oedema, 0.0, z)", "tests/analytics"),
    M("prevalence: the -2 SD cut-off becomes -1.9", PREV,
      "(z >= -3).astype(np.int8) + (z >= -2)", "(z >= -3).astype(np.int8) + (z >= -1.9)", "tests/analytics"),

    # -- summary and period rules ---------------------------------------------------------------
    M("summary: the latest measurement per child by id, not by date", PREV,
      'order_cols = [*by, "child_id", "measured_on"] + (["id"] if "id" in frame else [])',
      'order_cols = [*by, "child_id"] + (["id"] if "id" in frame else [])', "tests/analytics"),
    M("summary: not refreshed after a write of measurements", "tumbuh/analytics/apps.py",
      'measurements_changed.connect(_refresh, dispatch_uid="analytics_summary_measurements")', "pass",
      "tests/analytics"),
    M("periods: weighing months are March/September", "tumbuh/analytics/periods.py",
      "WEIGHING_MONTHS = (2, 8)", "WEIGHING_MONTHS = (3, 9)", "tests/analytics"),
    M("bnba: 'not measured for 2 months' waits 3 months", "tumbuh/analytics/reports.py",
      "NOT_MEASURED_DAYS = 61", "NOT_MEASURED_DAYS = 91", "tests/analytics"),
    # -- target groups and coordination (their list views) --------------------------------------
    M("targets: pregnancies read unscoped (the bumil register)", "tumbuh/targets/selectors.py",
      "return Pregnancy.objects.filter(as_scope(scope).person_q())", "return Pregnancy.objects.all()",
      *matrix("targets:register_bumil", "targets:overview")),
    M("targets: catin screenings read unscoped", "tumbuh/targets/selectors.py",
      "return CatinScreening.objects.filter(as_scope(scope).person_q())", "return CatinScreening.objects.all()",
      *matrix("targets:register_catin")),
    M("targets: KRS and TPK rows of every household", "tumbuh/targets/selectors.py",
      "    if scope.everything:\n        return Q()\n    if scope.is_empty:",
      "    if True:\n        return Q()\n    if scope.is_empty:", *matrix("targets:register_krs", "targets:household")),
    M("coordination: meetings of every region", "tumbuh/coordination/selectors.py",
      '    qs = Meeting.objects.filter(q).select_related("region")',
      '    qs = Meeting.objects.all().select_related("region")',
      *matrix("coordination:meeting_list", "coordination:meeting_detail", "coordination:calendar")),
    M("coordination: commitments of every region", "tumbuh/coordination/selectors.py",
      "    return (Commitment.objects.filter(q).select_related",
      "    return (Commitment.objects.all().select_related",
      *matrix("coordination:commitment_list", "coordination:commitment_detail")),
    # -- personal data shown by role ------------------------------------------------------------
    M("access: province teams see whole NIKs", SCOPING,
      "return not self.is_empty and self.role not in (Role.PROVINSI, Role.OPD)",
      "return not self.is_empty", "tests/accounts/test_nik_masking.py"),
    M("access: an OPD officer's scope is region-shaped everywhere", SCOPING,
      "return Scope(user_id=user.pk, role=user.role, agency_id=user.agency_id, opd_region_code=code)",
      "return Scope(user_id=user.pk, role=user.role, agency_id=user.agency_id, opd_region_code=code, region_code=code)",
      *matrix("registry:child_list", "analytics:dashboard", "analytics:bnba")),
    # -- api (tumbuh/api) ----------------------------------------------------------------------------
    M("api: bulk upload writes for any child (unscoped)", "tumbuh/measurements/services.py",
      "children = {c.pk: c for c in people_for(scope).filter(", "children = {c.pk: c for c in __import__('tumbuh.registry.models').registry.models.Person.objects.filter(",
      "tests/api/test_scoping.py"),
    M("api: a same-day measurement is overwritten, not a conflict", "tumbuh/measurements/services.py",
      "        if (child.pk, item.date) in existing:\n",
      "        if False and (child.pk, item.date) in existing:\n", "tests/api/test_bulk.py"),
    M("api: a uuid sent again creates a second row", "tumbuh/measurements/services.py",
      "        if item.uuid is not None and item.uuid in used:\n",
      "        if False and item.uuid is not None and item.uuid in used:\n", "tests/api/test_bulk.py"),
    M("api: saved without the confirmation tick", "tumbuh/measurements/services.py",
      "        if not doubtful:\n            break", "        if True:\n            break", "tests/api/test_bulk.py"),
    M("api: the lists read unscoped people", "tumbuh/api/resources.py",
      "    selector = staticmethod(people_for)", "    selector = staticmethod(lambda scope: people_for(__import__('tumbuh.accounts.scoping').accounts.scoping.Scope(everything=True)))",
      "tests/api/test_scoping.py"),
    M("api: a revoked token still authenticates", "tumbuh/api/authentication.py",
      "        if token.revoked_at is not None:", "        if False:", "tests/api/test_tokens.py"),
    M("api: HasScope lets an empty scope through", "tumbuh/api/permissions.py",
      "and not scope_of(request).is_empty)", ")", "tests/api/test_scoping.py"),

    # -- convergence, interventions, indicators, reports (issues 10, 11, 13) ----------------------
    M("convergence: the gap list reads gaps unscoped", "tumbuh/convergence/selectors.py",
      "    return model.objects.filter(scope.person_q())\n\n\ndef gaps_for",
      "    return model.objects.all()\n\n\ndef gaps_for",
      *matrix("convergence:gaps", "convergence:gap")),
    M("convergence: PMT-BALITA window 90 days becomes 120", "tumbuh/convergence/data/rules.json",
      '"item": "PMT-BALITA",\n      "window": {\n        "kind": "days_before",\n        "days": 90',
      '"item": "PMT-BALITA",\n      "window": {\n        "kind": "days_before",\n        "days": 120',
      "tests/convergence"),
    M("convergence: a z-score exactly at the cut-off qualifies (< becomes <=)", "tumbuh/convergence/rules.py",
      "low = (m[index] < z) & ~m[INDEX_FLAG[index]]", "low = (m[index] <= z) & ~m[INDEX_FLAG[index]]",
      "tests/convergence"),
    M("convergence: WHO-flagged z-scores put a child on the gap list", "tumbuh/convergence/rules.py",
      "low = (m[index] < z) & ~m[INDEX_FLAG[index]].fillna(False).astype(bool)", "low = (m[index] < z)",
      "tests/convergence"),
    M("convergence: any member's JKN membership closes keluarga-jkn (not the child's)",
      "tumbuh/convergence/data/rules.json", '"membership_of": "child"', '"membership_of": "member"',
      "tests/convergence/test_rules.py"),
    M("indicators: pbi_jkn counts mandiri and PPU members as PBI", "tumbuh/indicators/selectors.py",
      "household__isnull=False, jkn_status__in=JKN_PBI)", "household__isnull=False, jkn_status__in=JKN_MEMBERSHIP)",
      "tests/indicators/test_jkn.py"),
    M("interventions: the delivery list reads deliveries unscoped", "tumbuh/interventions/selectors.py",
      'def deliveries_for(scope) -> QuerySet:\n    return _person_rows(scope, Delivery, household_field="household")',
      "def deliveries_for(scope) -> QuerySet:\n    return Delivery.objects.all()",
      *matrix("interventions:deliveries", "interventions:delivery_detail")),
    M("indicators: the scorecard counts people unscoped", "tumbuh/indicators/selectors.py",
      "    q = scope.person_q(prefix)\n    if region_code:\n        q &= within(",
      "    q = Q()\n    if region_code:\n        q &= within(",
      *matrix("indicators:scorecard")),
    M("reports: semester reports of every region", "tumbuh/reports/selectors.py",
      'return SemesterReport.objects.filter(_q(scope, "region_id")).select_related("region")',
      'return SemesterReport.objects.all().select_related("region")',
      *matrix("reports:index", "reports:detail")),
]


def tracked_files() -> list[str]:
    # Tracked and new (not ignored) files, as they are in the work tree now.
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def make_copy() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="tumbuh-mutations-"))
    for rel in tracked_files():
        src = ROOT / rel
        if src.is_file():
            dst = tmp / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    for rel in ("node_modules",):  # installed assets the app serves (not tracked)
        if (ROOT / rel).exists():
            (tmp / rel).symlink_to(ROOT / rel)
    # Compiled translations are tracked; static files and the venv are reused from the original tree.
    return tmp


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv if venv.exists() else sys.executable)


def env_for(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DATABASE_URL", None)  # SQLite, in memory, like `make test`
    return env


def check_copy_is_imported(copy: Path) -> None:
    out = subprocess.run([python(), "-c", "import tumbuh; print(tumbuh.__file__)"], cwd=copy, env=env_for(copy),
                         capture_output=True, text=True, check=True).stdout.strip()
    if not out.startswith(str(copy)):
        sys.exit(f"the copy is not what Python imports ({out}); the mutations would test the original tree")


def run_tests(copy: Path, tests: tuple[str, ...], timeout: int) -> tuple[int, str]:
    cmd = [python(), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not browser", *tests]
    try:
        proc = subprocess.run(cmd, cwd=copy, env=env_for(copy), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    return proc.returncode, proc.stdout[-3000:] + proc.stderr[-2000:]


def apply(copy: Path, mutation: Mutation) -> dict[Path, str] | str:
    """Apply the edits; returns the original texts to restore, or why the mutation is stale."""
    originals: dict[Path, str] = {}
    for rel, old, new in mutation.edits:
        path = copy / rel
        text = originals.get(path) or path.read_text()
        current = path.read_text()
        if current.count(old) != 1:
            for p, t in originals.items():
                p.write_text(t)
            return f"{rel}: expected the text once, found it {current.count(old)} times: {old!r}"
        originals.setdefault(path, text)
        path.write_text(current.replace(old, new))
    return originals


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="substring of the mutation names (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per mutation's test run")
    parser.add_argument("--baseline", action="store_true", help="first run every selection unmutated (must pass)")
    args = parser.parse_args(argv)

    chosen = [m for m in MUTATIONS if not args.only or any(o.lower() in m.name.lower() for o in args.only)]
    if args.list:
        for m in chosen:
            print(f"- {m.name}\n    tests: {' '.join(m.tests)}")
        return 0

    copy = make_copy()
    print(f"copy of the tree: {copy}", flush=True)
    try:
        check_copy_is_imported(copy)
        if args.baseline:
            for tests in sorted({m.tests for m in chosen}):
                code, out = run_tests(copy, tests, args.timeout)
                if code != 0:
                    print(f"BASELINE FAILS for {' '.join(tests)}:\n{out}")
                    return 2
            print("baseline: every selection passes unmutated", flush=True)
        results = []
        for i, m in enumerate(chosen, 1):
            start = time.monotonic()
            originals = apply(copy, m)
            if isinstance(originals, str):
                results.append((m, "STALE", originals))
                print(f"[{i}/{len(chosen)}] STALE    {m.name}: {originals}", flush=True)
                continue
            try:
                code, out = run_tests(copy, m.tests, args.timeout)
            finally:
                for path, text in originals.items():
                    path.write_text(text)
            if code == 1:
                verdict = "killed"
            elif code == 0:
                verdict = "SURVIVED"
            else:
                verdict = f"ERROR({code})"  # collection error, timeout, no tests: not a kill
            results.append((m, verdict, out))
            print(f"[{i}/{len(chosen)}] {verdict:8} {m.name}  ({time.monotonic() - start:.0f} s)", flush=True)
            if verdict == "killed":
                first = next((line for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))), "")
                print(f"           by {first[:160]}", flush=True)
        bad = [(m, v, out) for m, v, out in results if v != "killed"]
        print()
        print(f"{len(results) - len(bad)} of {len(results)} mutations killed.")
        for m, v, out in bad:
            print(f"\n{v}: {m.name}\n  tests: {' '.join(m.tests)}\n{out if v != 'SURVIVED' else ''}")
        if not bad:
            print("No survivors.")
        return 1 if bad else 0
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
