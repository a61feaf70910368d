"""Measurement screens: the posyandu session (one row per child, saved per row) and the per-child
add/correct form. Thin: parse, call services, render. Every read goes through accounts.scoping."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts.access import public, region_safe
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.measurements.selectors import measurements_for
from tumbuh.regions.selectors import posyandu_for
from tumbuh.registry.selectors import people_for

from . import offline, selectors
from .forms import MeasurementForm, SessionRowForm, add_problems
from .services import (
    AbsenceRefused,
    MeasurementRejected,
    NeedsConfirmation,
    clear_absence,
    delete_measurement,
    mark_absent,
    record_measurement,
)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _session_date(request) -> tuple[dt.date, str | None]:
    raw = request.GET.get("date", "")
    today = timezone.localdate()
    if not raw:
        return today, None
    try:
        on = dt.date.fromisoformat(raw)
    except ValueError:
        return today, _("%(value)s is not a date (YYYY-MM-DD); showing today") % {"value": raw}
    # A session is today or in the past; a child in it is under five, so ten years back is far
    # enough (and keeps the age arithmetic away from year 1 and 9999).
    if not (today - dt.timedelta(days=3653) <= on <= today):
        return today, _("%(value)s is not a posyandu day that can be opened (in the future or more than "
                        "ten years ago); showing today") % {"value": raw}
    return on, None


def _session_url(posyandu_id: int, on: dt.date, child_id: int | None = None) -> str:
    url = f"{reverse('measurements:session', args=[posyandu_id])}?date={on.isoformat()}"
    return url + (f"#row-{child_id}" if child_id else "")


@region_safe
def session_list(request):
    posyandu = list(posyandu_for(request.user).filter(active=True).select_related("desa").order_by("desa__name", "name"))
    counts = selectors.balita_counts(request.user, [p.pk for p in posyandu])
    for p in posyandu:
        p.balita_count = counts.get(p.pk, 0)
    return render(request, "measurements/session_list.html", {"posyandu_list": posyandu,
                                                              "today": timezone.localdate()})


def _render_session(request, posyandu, on: dt.date, *, override=None, status: int = 200):
    rows = selectors.session_rows(request.user, posyandu, on)
    if override is not None:
        rows = [override if r.child.pk == override.child.pk else r for r in rows]
    measured = sum(1 for r in rows if r.current is not None)
    absent = sum(1 for r in rows if r.absent and r.current is None)
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type="regions.posyandu", object_id=posyandu.pk,
           region_code=posyandu.desa_id, request=request,
           summary=_("Posyandu session %(posyandu)s %(date)s") % {"posyandu": posyandu.name, "date": on.isoformat()},
           detail={"date": on.isoformat(), "children": len(rows)})
    return render(request, "measurements/session.html", {
        "posyandu": posyandu, "date": on, "rows": rows, "measured": measured, "expected": len(rows),
        "absent": absent, "prev_date": on - dt.timedelta(days=1), "next_date": on + dt.timedelta(days=1),
        "offline": offline.session_config(posyandu, on, rows),
    }, status=status)


@region_safe
def session(request, posyandu_id: int):
    posyandu = get_object_or_404(posyandu_for(request.user).select_related("desa"), pk=posyandu_id)
    on, problem = _session_date(request)
    if problem:
        messages.error(request, problem)
    return _render_session(request, posyandu, on)


@region_safe
@require_POST
def session_row(request, posyandu_id: int, child_id: int):
    posyandu = get_object_or_404(posyandu_for(request.user), pk=posyandu_id)
    child = get_object_or_404(people_for(request.user).filter(posyandu=posyandu, active=True), pk=child_id)
    form = SessionRowForm(request.POST)
    on = timezone.localdate()
    saved = None
    confirm: list[str] = []
    absence_changed = False
    if form.is_valid() or (request.POST.get("absent") in {"0", "1"} and "date" in form.cleaned_data):
        on = form.cleaned_data["date"]
        data = form.cleaned_data
        if request.POST.get("absent") in {"0", "1"}:
            form = SessionRowForm(initial={"date": on})  # the typed values do not matter here
            try:
                if request.POST["absent"] == "1":
                    mark_absent(child=child, posyandu=posyandu, on=on, user=request.user, request=request)
                else:
                    clear_absence(child=child, on=on, user=request.user, request=request)
                absence_changed = True
            except AbsenceRefused as exc:
                form = SessionRowForm({"date": on.isoformat()})
                form.is_valid()
                form.add_error(None, str(exc))
        else:
            try:
                saved = record_measurement(
                    child=child, measured_on=on, weight_kg=data["weight_kg"], length_cm=data["length_cm"],
                    position=data["position"] if data["length_cm"] is not None else "",
                    arm_circumference_cm=data["arm_circumference_cm"],
                    oedema=data["oedema"], posyandu=posyandu, user=request.user, request=request,
                    confirmed=data["confirm"], ask_confirmation=True)
            except NeedsConfirmation as exc:
                confirm = exc.warnings
            except MeasurementRejected as exc:
                add_problems(form, exc.errors)
    else:
        try:
            on = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            pass

    done = saved is not None or absence_changed
    if done and not _is_htmx(request):
        if saved is not None:
            messages.success(request, _("Saved: %(name)s") % {"name": child.name})
        return redirect(_session_url(posyandu.pk, on, child.pk))

    row = selectors.session_row(request.user, posyandu, child, on)
    if not done:
        row.form = form
        row.confirm = confirm
    else:
        row.saved = True
    if not _is_htmx(request):
        # Without htmx the whole page comes back, with this row's typed values and errors.
        posyandu = get_object_or_404(posyandu_for(request.user).select_related("desa"), pk=posyandu_id)
        return _render_session(request, posyandu, on, override=row)
    measured, expected = selectors.measured_count(request.user, posyandu, on)
    # 200 even with errors: htmx swaps only 2xx responses, and the row must show its errors.
    return render(request, "measurements/_session_row_response.html", {
        "posyandu": posyandu, "date": on, "row": row, "measured": measured, "expected": expected,
        "absent": selectors.absent_count(request.user, posyandu, on)})


@public
def service_worker(request):
    """The service worker of the offline screens (docs/offline.md): the posyandu session and the
    distribution day. Served from here, not from /static/, so that its scope may cover those
    pages; each page registers it with its own scope (/measurements/ or
    /interventions/distribution/), hence `Service-Worker-Allowed: /`. No personal data: static
    URLs only."""
    session_list = reverse("measurements:session_list")
    distribution = reverse("interventions:distribution")
    config = {
        "workbox": [static(f"vendor/{name}/{name}.prod.js") for name in offline.WORKBOX_MODULES],
        "idb": static("vendor/idb/umd.js"), "outbox": static("measurements/outbox.js"),
        "precache": offline.precache_manifest(),
        # The session list and each session page (the list is where a cadre goes between
        # sessions), and the distribution-day page (kept per query: item, posyandu or desa, date).
        "session_pattern": r"^(" + re.escape(session_list) + r"(\d+/)?|" + re.escape(distribution) + r")$",
    }
    response = render(request, "measurements/sw.js", {"config": json.dumps(config)},
                      content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


def _form_page(request, child, form, measurement=None, status=200):
    record(request.user, AuditEvent.Action.VIEW, obj=child, request=request,
           summary=_("Measurements of %(name)s") % {"name": child.name}, detail={"screen": "measurement form"})
    return render(request, "measurements/measurement_form.html", {
        "child": child, "form": form, "measurement": measurement,
        "history": selectors.child_history(request.user, child),
        "next": _safe_next(request) or "",
    }, status=status)


def _save_from_form(request, child, form, instance=None):
    data = form.cleaned_data
    return record_measurement(
        child=child, measured_on=data["measured_on"], weight_kg=data["weight_kg"],
        length_cm=data["length_cm"], position=data["position"] if data["length_cm"] is not None else "",
        head_circumference_cm=data["head_circumference_cm"],
        arm_circumference_cm=data["arm_circumference_cm"], oedema=data["oedema"],
        measurer_name=data["measurer_name"], user=request.user, request=request, instance=instance,
        posyandu=instance.posyandu if instance else None, confirmed=data["confirm"], ask_confirmation=True)


@region_safe
@require_http_methods(["GET", "POST"])
def add_for_child(request, child_id: int):
    child = get_object_or_404(people_for(request.user).select_related("posyandu"), pk=child_id)
    if request.method == "POST":
        form = MeasurementForm(request.POST)
        if form.is_valid():
            try:
                saved = _save_from_form(request, child, form)
            except NeedsConfirmation as exc:
                form.confirm_warnings = exc.warnings
            except MeasurementRejected as exc:
                add_problems(form, exc.errors)
            else:
                _announce(request, saved)
                return redirect(_safe_next(request) or reverse("measurements:add_for_child", args=[child.pk]))
    else:
        age_days = child.age_days()
        form = MeasurementForm(initial={"measured_on": timezone.localdate(),
                                        "position": "l" if age_days < 731 else "h"})
    return _form_page(request, child, form)


@region_safe
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    measurement = get_object_or_404(measurements_for(request.user).select_related("child", "posyandu"), pk=pk)
    child = measurement.child
    if request.method == "POST":
        form = MeasurementForm(request.POST)
        if form.is_valid():
            try:
                saved = _save_from_form(request, child, form, instance=measurement)
            except NeedsConfirmation as exc:
                form.confirm_warnings = exc.warnings
            except MeasurementRejected as exc:
                add_problems(form, exc.errors)
            else:
                _announce(request, saved)
                return redirect(_safe_next(request) or reverse("measurements:add_for_child", args=[child.pk]))
    else:
        form = MeasurementForm(initial=MeasurementForm.initial_from(measurement))
        if measurement.awaiting_confirmation:
            form.confirm_warnings = measurement.warning_texts
    return _form_page(request, child, form, measurement)


@region_safe
@require_POST
def delete(request, pk: int):
    measurement = get_object_or_404(measurements_for(request.user).select_related("child"), pk=pk)
    child_id = measurement.child_id
    delete_measurement(measurement, request.user, request)
    messages.success(request, _("Measurement deleted"))
    return redirect(_safe_next(request) or reverse("measurements:add_for_child", args=[child_id]))


def _announce(request, m) -> None:
    messages.success(request, _("Measurement of %(date)s saved") % {"date": m.measured_on.strftime("%d-%m-%Y")})
    for text in m.warning_texts:
        messages.warning(request, text)
