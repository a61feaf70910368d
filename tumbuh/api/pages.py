"""The account page where a user creates and revokes their own API tokens (HTML, Indonesian)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tumbuh.accounts.access import region_safe
from tumbuh.web.text import ascii_digits

from . import services
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=80,
                           help_text=gettext_lazy("What the token is for, e.g. \"Dinkes dashboard\""))


@region_safe  # a user's own tokens only: no region, posyandu or person is named or shown
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List the user's tokens; POST `name` creates one (its key shown on this answer only), POST
    `revoke=<id>` revokes one of the user's own."""
    form = TokenForm()
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            raw = request.POST.get("revoke", "")
            token = get_object_or_404(ApiToken, pk=int(raw) if ascii_digits(raw) else 0, user=request.user)
            services.revoke_token(token, request.user, request=request)
            messages.success(request, _("Token %(prefix)s… revoked") % {"prefix": token.prefix})
            return redirect("api:tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, new_key = services.create_token(request.user, form.cleaned_data["name"], request=request)
            form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(request, "api/tokens.html", {"form": form, "tokens": rows, "new_key": new_key})
    response["Cache-Control"] = "no-store"
    return response
