from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from tumbuh.regions.selectors import posyandu_for
from tumbuh.registry.selectors import people_for

from .access import public, region_safe
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
    }
    return render(request, "accounts/me.html", context)


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
