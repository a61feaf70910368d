"""Computing gaps and completeness, keeping the stored table fresh, and the writes (local rules,
"not applicable" marks), each audited.

Freshness (decided): the stored `Gap`/`Completeness` rows are for *today*. A write refreshes the
people/households it touched inside the writer's transaction (apps.py connects the signals). Time
passing also opens gaps (a 90-day window slides, a month ends, a vitamin A round starts), so each
desa records the date it was last fully computed (`Freshness`); a read of an area whose desa are
older than today recomputes those desa first (`ensure_fresh`), and `tumbuh convergence refresh`
(cron, e.g. 00:30 daily) does the same ahead of the first reader. Any other as-of date is
computed directly from the same functions (`compute`) and never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.audit.services import record
from tumbuh.interventions.models import CatalogueItem
from tumbuh.regions.models import Region, within
from tumbuh.registry.models import Household, Person
from tumbuh.web.timezones import zone_for_region

from . import loader
from . import rules as R
from .models import Completeness, Freshness, Gap, LocalRule, NotApplicable, RuleRevision, Subject

SIGNAL_SENDER = "convergence"


def today(region_code: str | None = None) -> dt.date:
    """The day gaps are computed for: the region's own date (WIB, WITA or WIT by its province),
    whoever asks. Stored gaps and their Freshness must not depend on the reader: between 16:00
    and 17:00 UTC a WIB administrator and a WITA desa team live on different dates, and gaps
    computed for the reader's date would flip between them. Without a region: the active zone's."""
    if region_code:
        return timezone.localdate(timezone=zone_for_region(region_code))
    return timezone.localdate()


def _provinces(region_code: str) -> list[str]:
    """The province codes an area spans (one, unless the area is everything): each keeps its zone."""
    if region_code:
        return [region_code[:2]]
    return sorted({code[:2] for code in Region.objects.filter(level=Region.Level.DESA).values_list("code", flat=True)})


def kabupaten_of(code: str) -> str:
    return ".".join(code.split(".")[:2])


# --- rule sets ---------------------------------------------------------------------------------

def ruleset_for(kab_code: str) -> R.RuleSet:
    """The defaults with the kab/kota's local rules (as stored at its current revision)."""
    rev = RuleRevision.objects.filter(region_id=kab_code).first()
    base = R.default_ruleset()
    if rev is None or not rev.rules:
        return base
    return R.with_local(base, rev.rules, region_code=kab_code, revision=rev.revision)


def agency_codes(kab_code: str, ruleset: R.RuleSet) -> dict[str, str]:
    """Item code -> responsible agency code in this kab/kota: the rule's own `agency`, else the
    catalogue item's, a local item of the kab/kota or its province overriding the national one."""
    codes: dict[str, str] = {}
    rank = {None: 0, kab_code.split(".")[0]: 1, kab_code: 2}
    best: dict[str, int] = {}
    for code, region, agency in CatalogueItem.objects.filter(
            Q(region__isnull=True) | Q(region_id__in=[kab_code, kab_code.split(".")[0]])).values_list(
            "code", "region_id", "default_agency_code"):
        level = rank.get(region, 0)
        if level >= best.get(code, -1):
            best[code], codes[code] = level, agency
    for rule in ruleset.rules:
        if rule.agency:
            codes[rule.item] = rule.agency
    return codes


def _local_rows(kab_code: str) -> list[dict]:
    out = []
    for row in LocalRule.objects.filter(region_id=kab_code).order_by("pk"):
        out.append({"id": row.rule_id, "disabled": True} if row.disabled else {**row.data, "id": row.rule_id})
    return out


@transaction.atomic
def save_local_rule(user, kab: Region, data: dict, *, disabled: bool = False, request=None) -> LocalRule:
    """Add or replace a local rule (or switch a default off) for a kab/kota: validated, a new
    revision, the kab/kota's gaps recomputed, audited."""
    rule_id = data.get("id", "").strip()
    if not disabled:
        problems = R.validate_rule(data)
        if problems:
            raise ValueError("; ".join(problems))
    row, created = LocalRule.objects.update_or_create(
        region=kab, rule_id=rule_id, defaults={"data": {} if disabled else data, "disabled": disabled,
                                               "updated_by": user})
    _bump(kab, user)
    record(user, "create" if created else "update", obj=row, region_code=kab.code, request=request,
           summary=(_("convergence rule %(id)s switched off") if disabled else _("convergence rule %(id)s saved"))
           % {"id": rule_id},
           detail={"rule": data, "disabled": disabled})
    return row


@transaction.atomic
def delete_local_rule(user, row: LocalRule, *, request=None) -> None:
    kab = row.region
    record(user, "delete", obj=row, region_code=kab.code, request=request,
           summary=_("convergence rule %(id)s removed") % {"id": row.rule_id})
    row.delete()
    _bump(kab, user)


def _bump(kab: Region, user) -> None:
    rev, _ = RuleRevision.objects.get_or_create(region=kab)
    rev.revision += 1
    rev.rules = _local_rows(kab.code)
    rev.save()
    refresh_region(kab.code)


# --- computing ---------------------------------------------------------------------------------

def _kab_codes(region_code: str) -> list[str]:
    if region_code and len(region_code.split(".")) >= 2:
        return [kabupaten_of(region_code)]
    q = Q(level=Region.Level.KABUPATEN)
    if region_code:
        q &= within("code", region_code)
    return list(Region.objects.filter(q).values_list("code", flat=True))


def _closures(frame: pd.DataFrame) -> set[tuple]:
    """(subject, subject_id, rule_id, since) of the active not-applicable marks of these subjects."""
    if frame.empty:
        return set()
    out = set()
    for subject, field in ((R.PERSON, "person_id"), (R.HOUSEHOLD, "household_id")):
        ids = frame.loc[frame["subject"] == subject, "subject_id"].astype(int).unique().tolist()
        if len(ids) > BULK_PEOPLE:  # an area: one read of the active marks (a few, set by hand)
            wanted = set(ids)
            out |= {(subject, sid, rule_id, since) for sid, rule_id, since in NotApplicable.objects.filter(
                revoked_at__isnull=True, subject=subject).values_list(field, "rule_id", "since").iterator(
                chunk_size=5000) if sid in wanted}
            continue
        for part in loader._chunks(sorted(ids)):
            for sid, rule_id, since in NotApplicable.objects.filter(
                    revoked_at__isnull=True, subject=subject, **{f"{field}__in": part}).values_list(
                    field, "rule_id", "since"):
                out.add((subject, sid, rule_id, since))
    return out


def compute(as_of: dt.date | None, *, region_code: str | None = None, person_ids: Iterable[int] = (),
            household_ids: Iterable[int] = (), plain: bool = False) -> tuple[list, list[Completeness], dict]:
    """Gaps and completeness (unsaved model instances) as of a date (None: each kab/kota's own
    today), for an area or some subjects, each kab/kota with its own rule set. Returns (gaps, completeness, versions by kab).
    `plain`: the gaps only, as `selectors.StoredGap` values (the CLI: no model instances)."""
    gaps: list[Gap] = []
    comps: list[Completeness] = []
    versions: dict[str, str] = {}
    if region_code is not None:
        batches = []
        for kab in _kab_codes(region_code):
            area = region_code if region_code.startswith(kab) else kab
            batches.append((kab, {"region_code": area}))
    else:
        person_ids, household_ids = set(person_ids), set(household_ids)
        by_kab: dict[str, dict] = defaultdict(lambda: {"person_ids": set(), "household_ids": set()})
        for pid, desa in Person.objects.filter(pk__in=list(person_ids)).values_list("id", "desa_id"):
            by_kab[kabupaten_of(desa)]["person_ids"].add(pid)
        for hid, desa in Household.objects.filter(pk__in=list(household_ids)).values_list("id", "desa_id"):
            by_kab[kabupaten_of(desa)]["household_ids"].add(hid)
        batches = list(by_kab.items())
    for kab, args in batches:
        ruleset = ruleset_for(kab)
        versions[kab] = ruleset.version
        day = as_of or today(kab)
        inputs = loader.load_inputs(day, **args)
        results = R.evaluate(ruleset, inputs, day)
        g, c = _instances(results, inputs, ruleset, agency_codes(kab, ruleset), day, plain=plain)
        gaps += g
        comps += c
    return gaps, comps, versions


def _places(results: pd.DataFrame, inputs: R.Inputs) -> pd.DataFrame:
    """desa_id / posyandu_id of each result's subject (a household's posyandu: its youngest member's
    that has one, where its children are weighed); subjects no longer in the frames are dropped."""
    people = inputs.people[["person_id", "desa_id", "posyandu_id"]].rename(columns={"person_id": "subject_id"})
    people = people.assign(subject=R.PERSON)
    members = inputs.people[inputs.people["household_id"].notna() & inputs.people["posyandu_id"].notna()]
    members = members.sort_values("birth_date").drop_duplicates("household_id", keep="last")
    homes = inputs.households.rename(columns={"household_id": "subject_id"}).merge(
        pd.DataFrame({"subject_id": members["household_id"].astype("int64").to_numpy(),
                      "posyandu_id": members["posyandu_id"].to_numpy()}), on="subject_id", how="left")
    homes = homes.assign(subject=R.HOUSEHOLD)
    places = pd.concat([people, homes[["subject_id", "desa_id", "posyandu_id", "subject"]]], ignore_index=True)
    places["subject_id"] = places["subject_id"].astype("int64")
    return results.merge(places, on=["subject", "subject_id"], how="inner")


def _instances(results: pd.DataFrame, inputs: R.Inputs, ruleset: R.RuleSet, agencies: dict,
               as_of: dt.date, *, plain: bool = False) -> tuple[list, list[Completeness]]:
    """Gap and Completeness instances (unsaved) of the results; `plain`: the gaps only, as
    `selectors.StoredGap` values (no model instances: the CLI's computed list)."""
    if results.empty:
        return [], []
    results = _places(results, inputs)
    closed = _closures(results)
    since_days = results["since"].dt.date.tolist()
    if closed:
        keys = zip(results["subject"].tolist(), results["subject_id"].astype(int).tolist(),
                   results["rule_id"].tolist(), since_days, strict=True)
        na = pd.Series([k in closed for k in keys], index=results.index)
    else:
        na = pd.Series(False, index=results.index)
    counted = results[~na]
    open_mask = (~na & ~results["satisfied"].astype(bool)).to_numpy()
    open_ = results[open_mask]
    gaps = []
    person, household = R.PERSON, R.HOUSEHOLD
    version = ruleset.version
    from .selectors import StoredGap

    # Plain lists of every column (iterating pandas' arrow strings and datetimes element by
    # element costs more than the rest of the loop).
    for subject, sid, rule_id, item, group, code, args, since, due, desa, pos in zip(
            open_["subject"].tolist(), open_["subject_id"].astype("int64").tolist(), open_["rule_id"].tolist(),
            open_["item"].tolist(), open_["group"].tolist(), open_["reason_code"].tolist(),
            open_["reason_args"].tolist(), [d for d, keep in zip(since_days, open_mask, strict=True) if keep],
            open_["due_on"].dt.date.tolist(), open_["desa_id"].tolist(), open_["posyandu_id"].tolist(), strict=True):
        values = dict(subject=subject, person_id=sid if subject == person else None,
                      household_id=sid if subject == household else None, desa_id=desa,
                      posyandu_id=None if pos is None or pos != pos else int(pos), rule_id=rule_id,
                      rule_version=version, item_code=item, agency_code=agencies.get(item, ""),
                      target_group=group, reason_code=code, reason_args=dict(args), since=since, due_on=due)
        if plain:
            gaps.append(StoredGap([None] + [values[f] for f in StoredGap.FIELDS[1:]]))
        else:
            gaps.append(Gap(**values, computed_on=as_of))
    if plain:
        return gaps, []
    comp = R.completeness(counted)
    subjects = results.drop_duplicates(["subject", "subject_id"])[["subject", "subject_id", "desa_id", "posyandu_id"]]
    na_n = results[na].groupby(["subject", "subject_id"]).size().rename("na").reset_index()
    comp = subjects.merge(comp, on=["subject", "subject_id"], how="left").merge(na_n, on=["subject", "subject_id"],
                                                                              how="left")
    comps = []
    for subject, sid, desa, pos, required, received, n_na in zip(
            comp["subject"], comp["subject_id"], comp["desa_id"], comp["posyandu_id"], comp["required"],
            comp["received"], comp["na"], strict=True):
        sid = int(sid)
        required = 0 if pd.isna(required) else int(required)
        received = 0 if pd.isna(received) else int(received)
        comps.append(Completeness(subject=subject, person_id=sid if subject == person else None,
                                  household_id=sid if subject == household else None, desa_id=desa,
                                  posyandu_id=None if pd.isna(pos) else int(pos), required=required,
                                  received=received, not_applicable=0 if pd.isna(n_na) else int(n_na),
                                  complete=received == required, rule_version=ruleset.version, computed_on=as_of))
    return gaps, comps


# --- storing (the maintained table) ----------------------------------------------------------------

GAP_FIELDS = ["desa_id", "posyandu_id", "rule_version", "item_code", "agency_code", "target_group", "reason_code",
              "reason_args", "since", "due_on", "computed_on"]
COMP_FIELDS = ["desa_id", "posyandu_id", "required", "received", "not_applicable", "complete", "rule_version",
               "computed_on"]


def _key(obj) -> tuple:
    return (obj.subject, obj.person_id, obj.household_id) + ((obj.rule_id,) if isinstance(obj, Gap) else ())


def _reconcile(model, existing_q: Q, new: list, fields: list[str]) -> None:
    """Make the stored rows matching `existing_q` equal `new`, keeping the ids of rows that stay
    (a worklist's open form keeps pointing at its gap)."""
    old = {_key(o): o for o in model.objects.filter(existing_q)}
    create, update = [], []
    for obj in new:
        cur = old.pop(_key(obj), None)
        if cur is None:
            create.append(obj)
            continue
        changed = [f for f in fields if getattr(cur, f) != getattr(obj, f)]
        if changed:
            for f in fields:
                setattr(cur, f, getattr(obj, f))
            update.append(cur)
    if old:
        ids = [o.pk for o in old.values()]
        for part in loader._chunks(ids):
            model.objects.filter(pk__in=part).delete()
    if update:
        _update_rows(model, update, fields)
    if create:
        model.objects.bulk_create(create, batch_size=1000)


def _update_rows(model, objs: list, fields: list[str]) -> None:
    """UPDATE ... WHERE id = %s with executemany: Django's bulk_update builds a CASE per row and
    field (minutes for the daily refresh that moves every row's `computed_on`)."""
    from django.db import connection

    meta = model._meta
    cols = [meta.get_field(f.removesuffix("_id") if f.endswith("_id") else f) for f in fields]
    sets = ", ".join(f"{connection.ops.quote_name(c.column)} = %s" for c in cols)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE id = %s"
    params = [[c.get_db_prep_save(getattr(o, f), connection) for c, f in zip(cols, fields, strict=True)] + [o.pk]
              for o in objs]
    with connection.cursor() as cursor:
        for i in range(0, len(params), 2000):
            cursor.executemany(sql, params[i:i + 2000])


def _subjects_q(person_ids, household_ids) -> Q:
    q = Q(pk__in=[])
    if person_ids:
        q |= Q(subject=Subject.PERSON, person_id__in=list(person_ids))
    if household_ids:
        q |= Q(subject=Subject.HOUSEHOLD, household_id__in=list(household_ids))
    return q


def refresh_subjects(person_ids: Iterable[int] = (), household_ids: Iterable[int] = (), *,
                     as_of: dt.date | None = None) -> int:
    """Recompute the stored gaps of these people and households (and the households of these
    people: their household rules look at the children). Returns the number of gaps stored.
    Without `as_of`, each subject is computed for its kab/kota's today (compute)."""
    person_ids = {int(p) for p in person_ids if p}
    household_ids = {int(h) for h in household_ids if h}
    if person_ids:
        household_ids |= {h for h in Person.objects.filter(pk__in=list(person_ids))
                          .values_list("household_id", flat=True) if h}
    if not (person_ids or household_ids):
        return 0
    with transaction.atomic():
        gaps, comps, _v = compute(as_of, person_ids=person_ids, household_ids=household_ids)
        _reconcile(Gap, _subjects_q(person_ids, household_ids), gaps, GAP_FIELDS)
        _reconcile(Completeness, _subjects_q(person_ids, household_ids), comps, COMP_FIELDS)
    return len(gaps)


BULK_PEOPLE = 2000  # more people than this in one signal (a demo, an import): refresh their area instead


def refresh_many(person_ids: Iterable[int]) -> int:
    """A write that names many people (the demo, an import) refreshes the smallest area holding
    them in one pass; a few people are refreshed one by one (subject refresh)."""
    ids = list(person_ids)
    if len(ids) <= BULK_PEOPLE:
        return refresh_subjects(ids)
    from tumbuh.accounts.scoping import common_region

    desas = set()
    for part in loader._chunks(ids):
        desas |= set(Person.objects.filter(pk__in=part).values_list("desa_id", flat=True))
    return refresh_region(common_region(sorted(desas))) if desas else 0


def refresh_region(region_code: str, *, as_of: dt.date | None = None) -> int:
    """Recompute every stored gap of an area ("" = everything) and mark its desa fresh, for the
    area's today (each province its own, in its zone) unless `as_of` is given."""
    if as_of is None and not region_code:
        return sum(refresh_region(prov) for prov in _provinces(""))
    as_of = as_of or today(region_code)
    with transaction.atomic():
        gaps, comps, versions = compute(as_of, region_code=region_code)
        area = within("desa_id", region_code) if region_code else Q()
        _reconcile(Gap, area, gaps, GAP_FIELDS)
        _reconcile(Completeness, area, comps, COMP_FIELDS)
        desas = Region.objects.filter(level=Region.Level.DESA)
        if region_code:
            desas = desas.filter(within("code", region_code))
        codes = list(desas.values_list("code", flat=True))
        existing = set(Freshness.objects.filter(desa_id__in=codes).values_list("desa_id", flat=True))
        Freshness.objects.filter(desa_id__in=codes).update(as_of=as_of)
        Freshness.objects.bulk_create([Freshness(desa_id=c, as_of=as_of, rule_version=versions.get(kabupaten_of(c), ""))
                                       for c in codes if c not in existing], batch_size=1000)
    return len(gaps)


def stale_desa(region_code: str | None, as_of: dt.date | None = None) -> list[str]:
    """Desa of the area whose stored gaps are older than `as_of` (the area's today, each province
    in its zone) or were never computed."""
    if as_of is None:
        if not region_code:
            return sorted(code for prov in _provinces("") for code in stale_desa(prov))
        as_of = today(region_code)
    desas = Region.objects.filter(level=Region.Level.DESA)
    if region_code:
        desas = desas.filter(within("code", region_code))
    fresh = Freshness.objects.filter(as_of__gte=as_of)
    if region_code:
        fresh = fresh.filter(within("desa_id", region_code))
    return sorted(set(desas.values_list("code", flat=True)) - set(fresh.values_list("desa_id", flat=True)))


def ensure_fresh(region_code: str | None) -> int:
    """Refresh-on-read: recompute the area's desa that are not fresh for today (the first read of
    the day, when the nightly `tumbuh convergence refresh` did not run). Returns desa refreshed."""
    stale = stale_desa(region_code)
    if not stale:
        return 0
    # One pass per kecamatan-or-wider covering run: group stale desa by kab/kota.
    by_kab: dict[str, list[str]] = defaultdict(list)
    for code in stale:
        by_kab[kabupaten_of(code)].append(code)
    for kab, codes in by_kab.items():
        if region_code and len(region_code.split(".")) >= 2 and len(codes) < 8:
            for code in codes:
                refresh_region(code)
        else:
            refresh_region(region_code if region_code and region_code.startswith(kab) else kab)
    return len(stale)


# --- not applicable ------------------------------------------------------------------------------

@transaction.atomic
def mark_not_applicable(user, gap: Gap, reason: str, note: str = "", *, request=None) -> NotApplicable:
    if reason not in NotApplicable.Reason.values:
        raise ValueError("unknown reason")
    na = NotApplicable.objects.create(subject=gap.subject, person_id=gap.person_id, household_id=gap.household_id,
                                      desa_id=gap.desa_id, posyandu_id=gap.posyandu_id, rule_id=gap.rule_id,
                                      item_code=gap.item_code, agency_code=gap.agency_code, since=gap.since, reason=reason, note=note[:255],
                                      created_by=user)
    record(user, "update", obj=gap.person or gap.household, region_code=gap.desa_id, request=request,
           summary=_("convergence gap %(item)s marked not applicable (%(reason)s)") % {
               "item": gap.item_code, "reason": NotApplicable.Reason(reason).label},
           detail={"rule": gap.rule_id, "item": gap.item_code, "since": gap.since, "reason": reason, "note": note})
    refresh_subjects([gap.person_id] if gap.person_id else [], [gap.household_id] if gap.household_id else [])
    return na


@transaction.atomic
def revoke_not_applicable(user, na: NotApplicable, *, request=None) -> None:
    na.revoked_at, na.revoked_by = timezone.now(), user
    na.save(update_fields=["revoked_at", "revoked_by"])
    record(user, "update", obj=na.person or na.household, region_code=na.desa_id, request=request,
           summary=_("convergence: not-applicable mark for %(item)s withdrawn") % {"item": na.item_code},
           detail={"rule": na.rule_id, "since": na.since})
    refresh_subjects([na.person_id] if na.person_id else [], [na.household_id] if na.household_id else [])
