from django.contrib.auth import views as auth_views
from django.shortcuts import render

from tumbuh.regions.selectors import posyandu_for
from tumbuh.registry.selectors import people_for

from .access import public, region_safe
from .models import User
from .scoping import is_admin, scope_region_code

login_view = public(
    auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
)
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
