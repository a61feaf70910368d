"""Registry pages. Thin: scope through selectors, write through services, audit every read of
personal data."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from tumbuh.accounts.access import region_safe
from tumbuh.accounts.scoping import scope_for, scope_region_code
from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.web import xlsx
from tumbuh.web.text import iso_date_shown, mask_nik

from . import selectors, services
from .filters import ChildFilter
from .forms import HouseholdForm, PersonForm, RegistrationForms, VoidForm
from .models import Person

PAGE_SIZE = 50


def _get_or_404(getter, *args):
    try:
        return getter(*args)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _url_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


SORT_LABELS = [
    ("name", _l("Name A-Z")), ("-name", _l("Name Z-A")), ("age", _l("Oldest first")),
    ("-age", _l("Youngest first")), ("last_measured", _l("Measured most recently")),
    ("-last_measured", _l("Longest without a measurement")), ("haz", _l("Lowest TB/U z first")),
    ("desa", _l("Desa/kelurahan")), ("posyandu", _l("Posyandu")),
]
EXPORT_LIMIT = 50_000


def _lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


@region_safe
def child_list(request):
    base = selectors.child_list_queryset(request.user)
    child_filter = ChildFilter(request.GET or None, queryset=base, request=request)
    queryset = child_filter.qs if child_filter.is_bound and child_filter.is_valid() else base
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.CHILD_SORTS else "name"
    queryset = selectors.sort_children(queryset, sort)
    filters = {k: v for k, v in request.GET.items() if k not in ("page", "format") and v}
    if request.GET.get("format") == "xlsx":
        children = selectors.attach_latest(list(queryset[:EXPORT_LIMIT]))
        record(request.user, AuditEvent.Action.EXPORT, object_type="registry.person",
               region_code=scope_region_code(request.user) or "",
               summary=f"children list export ({len(children)})",
               detail={"filters": filters, "rows": len(children)}, request=request)
        return xlsx.download([child_list_sheet(request.user, children, filters)],
                             f"daftar-balita-{timezone.localdate():%Y%m%d}.xlsx")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_latest(page.object_list)
    lang = _lang()
    for child in page.object_list:
        child.status = selectors.status_labels(child.latest, lang)
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type="registry.person",
           region_code=scope_region_code(request.user) or "",
           summary=_("children list"),
           detail={"filters": filters, "page": page.number, "shown": len(page.object_list),
                   "total": page.paginator.count},
           request=request)
    query = request.GET.copy()
    query.pop("page", None)
    sortless = query.copy()
    sortless.pop("sort", None)
    sortless.pop("format", None)
    context = {"filter": child_filter, "page": page, "query": query.urlencode(),
               "sort": sort, "sorts": SORT_LABELS, "sortless_query": sortless.urlencode(),
               "can_add_measurement": _url_or_none("measurements:add_for_child", child_id=0) is not None}
    template = "registry/_child_rows.html" if request.headers.get("HX-Request") else "registry/child_list.html"
    return render(request, template, context)


def child_list_sheet(user, children: list, filters: dict) -> xlsx.Sheet:
    """The children list as .xlsx: a title block (scope, filters, generated when and by whom)
    above Indonesian headers, one row per child (the one writer, tumbuh.web.xlsx)."""
    lang = _lang()
    header = [_("Name"), "NIK", _("Sex"), _("Birth date"), _("Mother"), _("Desa/kelurahan"), "Posyandu",
              _("Last measured"), _("Weight (kg)"), _("Height (cm)"), "TB/U z", "BB/U z", "BB/TB z", _("Gain"),
              _("Status")]
    preamble = [
        [_("Children under five")],
        [_("Filters"), ", ".join(f"{k}={v}" for k, v in sorted(filters.items())) or _("none")],
        [_("Generated"), timezone.localtime().strftime("%d-%m-%Y %H:%M"), _("by"), user.get_username()],
        [_("Status is that of each child's latest measurement, whatever its date.")],
        [],
    ]

    full_nik = scope_for(user).sees_full_nik

    def row(child):
        m = child.latest
        return [
            child.name, (child.nik or "") if full_nik else mask_nik(child.nik or ""), child.get_sex_display(), child.birth_date,
            child.mother.name if child.mother else "", child.desa.name,
            child.posyandu.name if child.posyandu else "",
            m.measured_on if m else None, m.weight_kg if m else None, m.length_cm if m else None,
            _z(m.length_for_age_z if m else None), _z(m.weight_for_age_z if m else None),
            _z(m.weight_for_length_z if m else None), (m.weight_gain or "") if m else "",
            ", ".join(label for _css, label in selectors.status_labels(m, lang)),
        ]

    return xlsx.Sheet(_("Children under five"), (row(c) for c in children),
                      header=header, preamble=preamble, bold_rows={0})


def _z(value):
    return None if value is None else round(float(value), 2)


def _confirm_warnings(request, warnings: list[str]) -> bool:
    """Warnings (NIK parts disagreeing) are shown once; saving goes ahead when confirmed."""
    return not warnings or request.POST.get("confirm_warnings") == "1"


@region_safe
def child_create(request):
    forms = RegistrationForms(request.user, request.POST if request.method == "POST" else None)
    warnings: list[str] = []
    if request.method == "POST" and forms.is_valid():
        warnings = forms.warnings
        if _confirm_warnings(request, warnings):
            result = forms.save(request.user, request=request)
            messages.success(request, _("%(name)s has been registered.") % {"name": result.child.name})
            return redirect("registry:child_detail", pk=result.child.pk)
    return render(request, "registry/child_form.html", {"forms": forms, "warnings": warnings})


@region_safe
def child_detail(request, pk: int):
    from tumbuh.web.child_page import child_page_context

    child = _get_or_404(selectors.child_detail, request.user, pk)
    history = list(selectors.measurement_history(request.user, child))
    reveal = _reveal_nik(request)
    record(request.user, AuditEvent.Action.VIEW, obj=child, summary=_("child page"), request=request,
           detail={"revealed": "nik"} if reveal else None)
    # Interventions received: a timeline, and PMT courses as shaded spans on the growth charts.
    from tumbuh.interventions.selectors import course_spans, person_timeline

    context = child_page_context(child, history, spans=course_spans(request.user, child))
    context["interventions"] = person_timeline(request.user, child)
    context["nik_shown"] = child.nik if (reveal or request.scope.sees_full_nik) else mask_nik(child.nik or "")
    context["nik_masked"] = bool(child.nik) and not (reveal or request.scope.sees_full_nik)
    context["changes"] = change_history(child)
    context["add_measurement_url"] = _url_or_none("measurements:add_for_child", child_id=child.pk)
    context["edit_measurement_available"] = _url_or_none("measurements:edit", pk=0) is not None
    return render(request, "registry/child_detail.html", context)


@region_safe
def person_edit(request, pk: int):
    person = _get_or_404(selectors.child_detail, request.user, pk)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        warnings = [str(w) for w in form.nik_warnings]
        if _confirm_warnings(request, warnings):
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            services.update_person(request.user, person, data, request=request, nik_warnings=warnings)
            messages.success(request, _("Changes saved."))
            return redirect("registry:child_detail", pk=person.pk)
    if request.method == "GET":
        # The form shows the whole NIK: opening it is a view of personal data.
        record(request.user, AuditEvent.Action.VIEW, obj=person, summary=_("person edit screen"), request=request)
    return render(request, "registry/person_form.html", {"form": form, "person": person, "warnings": warnings})


@region_safe
def household_detail(request, pk: int):
    household = _get_or_404(selectors.household_detail, request.user, pk)
    members = list(selectors.household_members(request.user, household))
    reveal = _reveal_nik(request)
    detail = {"members_shown": len(members)}
    if reveal:
        detail["revealed"] = "kk_number"
    record(request.user, AuditEvent.Action.VIEW, obj=household, summary=_("household page"),
           detail=detail, request=request)
    full = reveal or request.scope.sees_full_nik
    from tumbuh.interventions.selectors import household_deliveries

    return render(request, "registry/household_detail.html", {
        "household": household, "members": members,
        "kk_shown": household.kk_number if full else mask_nik(household.kk_number or ""),
        "kk_masked": bool(household.kk_number) and not full,
        "household_interventions": list(household_deliveries(request.user, household)[:200])})


def change_history(child) -> list[dict]:
    """The child page's "Change history": who changed what, when, old -> new (issue 16 item 10),
    from the audit log (the one record of every write)."""
    from tumbuh.audit.selectors import history_of_child
    from tumbuh.measurements.models import Measurement

    def label(model, field):
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:  # a field since renamed: show its name
            return field

    def shown(model, field, value):
        """A stored code in words ("pbi_apbn" -> its label), a date as d-m-Y; the rest as stored."""
        try:
            choices = dict(model._meta.get_field(field).flatchoices)
        except FieldDoesNotExist:
            return value
        if isinstance(value, str) and value in choices and value != "":
            return str(choices[value])
        return iso_date_shown(value)

    out = []
    for event in history_of_child(child):
        model = Person if event.object_type == "registry.person" else Measurement
        detail = event.detail or {}
        if event.action == AuditEvent.Action.UPDATE:
            pairs = (detail.get("changes") or {}).items()
            fields = [(label(model, f), shown(model, f, v[0]), shown(model, f, v[1])) for f, v in pairs
                      if isinstance(v, list | tuple) and len(v) == 2]
        else:
            fields = []
        out.append({"at": event.at, "user": event.username or (event.user.get_username() if event.user else ""),
                     "action": event.get_action_display(), "measurement": model is Measurement,
                     "summary_date": (detail.get("values") or {}).get("measured_on", ""), "fields": fields})
    return out


def _reveal_nik(request) -> bool:
    """A role that sees masked NIK/KK numbers asked, on purpose, to see this person's (or
    household's) whole number: shown once and written in the audit log (docs/access.md)."""
    return request.GET.get("reveal") == "1" and not request.scope.sees_full_nik


@region_safe
def household_edit(request, pk: int):
    household = _get_or_404(selectors.household_detail, request.user, pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_household(request.user, household, form.cleaned_data, request=request)
        messages.success(request, _("Changes saved."))
        return redirect("registry:household_detail", pk=household.pk)
    if request.method == "GET":
        # The form shows the whole KK number: opening it is a view of personal data.
        record(request.user, AuditEvent.Action.VIEW, obj=household, summary=_("household edit screen"),
               request=request)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@region_safe
def mother_search(request):
    """htmx helper of the registration form: women in scope by name or NIK prefix."""
    text = request.GET.get("mother_choice-search", "") or request.GET.get("q", "")
    women = list(selectors.search_women(request.user, text))
    if women:
        record(request.user, AuditEvent.Action.VIEW_LIST, object_type="registry.person",
               region_code=scope_region_code(request.user) or "", summary=_("mother search"),
               detail={"shown": len(women)}, request=request)
    return render(request, "registry/_mother_search.html", {"women": women, "text": text})


# -- voiding a person entered by mistake, and restoring them (issue 16 item 10) -------------------

VOIDS_SHOWN = 100


@region_safe
def person_void(request, pk: int):
    """Confirm and void: the person and everything recorded for them leave every list and count,
    kept whole so they can be restored (registry.records)."""
    person = _get_or_404(selectors.child_detail, request.user, pk)
    may = not request.scope.is_cadre
    form = VoidForm(request.POST or None)
    if request.method == "POST" and may and form.is_valid():
        try:
            services.void_person(request.user, person, reason=form.cleaned_data["reason"],
                                 note=form.cleaned_data["note"], request=request)
        except services.VoidRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s is voided: out of every list and count. It can be restored below.")
                             % {"name": person.name})
            return redirect("registry:voided_list")
    elif request.method == "POST":
        messages.error(request, _("People are voided by the puskesmas, desa/kecamatan or kabupaten/kota team."))
    from .records import keep_for_delete

    if request.method == "GET":
        record(request.user, AuditEvent.Action.VIEW, obj=person, summary=_("person void screen"), request=request)
    counts = _kept_counts(keep_for_delete(person, skip=services.DERIVED_LABELS)["kept"]) if may else []
    return render(request, "registry/person_void.html",
                  {"person": person, "form": form, "may_void": may, "counts": counts})


def _kept_counts(kept: dict) -> list[tuple[str, int]]:
    """(what, how many) of the rows a void keeps, in the user's language, the person left out."""
    from django.apps import apps

    out = []
    for label, n in sorted(kept.items()):
        if label == "registry.person":
            n -= 1  # the person themself
        if n > 0:
            meta = apps.get_model(label)._meta
            # Indonesian nouns do not inflect for number ("7 pengukuran"), and Django's default
            # plural of an untranslated one adds an English "s" ("kelahirans").
            noun = meta.verbose_name if n == 1 or get_language().startswith("id") else meta.verbose_name_plural
            out.append((str(noun), n))
    return out


@region_safe
def voided_list(request):
    voids = list(selectors.voided_for(request.scope)[:VOIDS_SHOWN])
    record(request.user, AuditEvent.Action.VIEW_LIST, object_type="registry.personvoid",
           summary=_("voided people"), detail={"shown": len(voids)}, request=request)
    return render(request, "registry/voided_list.html", {
        "voids": voids, "may_restore": not request.scope.is_cadre, "shown_max": VOIDS_SHOWN,
        "rows": [(v, _kept_counts(v.record.get("kept", {}))) for v in voids]})


@region_safe
@require_POST
def person_restore(request, pk: int):
    """Restore the latest void of person `pk` (the id they had and get back)."""
    void = selectors.voided_for(request.scope).filter(person_id=pk, restored_at__isnull=True).first()
    if void is None:
        raise Http404
    try:
        person = services.restore_person(request.user, void, request=request)
    except services.VoidRefused as exc:
        messages.error(request, str(exc))
        return redirect("registry:voided_list")
    messages.success(request, _("%(name)s is back in the register with everything recorded for them.")
                     % {"name": person.name})
    return redirect("registry:child_detail", pk=person.pk)
