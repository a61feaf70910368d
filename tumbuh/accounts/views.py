from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record
from tumbuh.regions.selectors import posyandu_for
from tumbuh.registry.selectors import people_for

from . import selectors
from .access import public, region_safe
from .forms import UserForm
from .models import User
from .scoping import is_admin, scope_region_code


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # A demo instance says so: its accounts share a published password (issue 16, item 8).
        return {**super().get_context_data(**kwargs), "demo_mode": settings.DEMO_MODE}


login_view = public(LoginView.as_view())
logout_view = public(auth_views.LogoutView.as_view())


@region_safe
def me(request):
    """The user's own role and scope; counts only, no personal data listed (so not audited)."""
    user = request.user
    account = User.objects.select_related("region", "posyandu__desa", "puskesmas").get(pk=user.pk)
    context = {
        "account": account,
        "is_admin": is_admin(user),
        "scope_code": scope_region_code(user),
        "people_count": people_for(user).count(),
        "posyandu": list(posyandu_for(user).select_related("desa")[:50]),
        "posyandu_count": posyandu_for(user).count(),
        "can_manage_users": selectors.can_manage_users(user),
    }
    return render(request, "accounts/me.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any logged-in user changes their own password (old one first); audited, the session kept."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request.user, AuditEvent.Action.UPDATE, obj=self.request.user, request=self.request,
               region_code=self.request.user.region_id or "",
               summary=f"{self.request.user.username} changed their password", detail={"fields": ["password"]})
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change = region_safe(PasswordChangeView.as_view())

AUDITED_FIELDS = ["username", "first_name", "last_name", "email", "role", "region", "puskesmas", "posyandu", "is_active"]


def _values(user) -> dict:
    return {f: (getattr(user, f + "_id") if f in {"region", "puskesmas", "posyandu"} else getattr(user, f))
            for f in AUDITED_FIELDS}


def _managed(request):
    if not selectors.can_manage_users(request.user):
        raise PermissionDenied
    return selectors.users_for(request.user)


@region_safe
def user_list(request):
    users = _managed(request).select_related("region", "posyandu__desa", "puskesmas").order_by("role", "username")
    return render(request, "accounts/user_list.html", {"users": users})


def _user_form(request, instance=None):
    form = UserForm(request.POST or None, instance=instance, manager=request.user)
    if request.method == "POST" and form.is_valid():
        before = _values(User.objects.get(pk=instance.pk)) if instance else None
        user = form.save()
        after = _values(user)
        if before is None:
            record(request.user, AuditEvent.Action.CREATE, obj=user, request=request,
                   region_code=_region_of(user), summary=f"account {user.username} created",
                   detail={"values": after})
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
        else:
            changed = sorted(f for f in AUDITED_FIELDS if before[f] != after[f])
            if form.cleaned_data.get("password"):
                changed.append("password")
            record(request.user, AuditEvent.Action.UPDATE, obj=user, request=request,
                   region_code=_region_of(user), summary=f"account {user.username} changed",
                   detail={"fields": changed, "changed": {f: [before[f], after[f]] for f in changed if f != "password"}})
            messages.success(request, _("Account %(name)s saved.") % {"name": user.username})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": instance})


def _region_of(user) -> str:
    if user.region_id:
        return user.region_id
    if user.posyandu_id:
        return user.posyandu.desa_id
    if user.puskesmas_id:
        return user.puskesmas.kecamatan_id
    return ""


@region_safe
def user_create(request):
    _managed(request)
    return _user_form(request)


@region_safe
def user_edit(request, user_id: int):
    account = get_object_or_404(_managed(request), pk=user_id)
    return _user_form(request, account)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username or an address is locked (AXES_LOCKOUT_CALLABLE); the
    lockout itself is audited by signals.audit_locked_out. Says nothing about whether the
    username exists."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
