"""Optional TOTP two-factor login (django-otp), required for the roles in
settings.TUMBUH_2FA_ROLES when settings.TUMBUH_REQUIRE_2FA is on (issue 16, item 6).

After the password, a user of such a role is sent to enter the 6-digit code of their
authenticator app (`accounts:otp_verify`), or, the first time, to set one up
(`accounts:otp_setup`: QR code and the key as text, confirmed by one code). Until then every
other page redirects there. Setting up and failures are audited; django-otp throttles wrong codes.
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tumbuh.audit.models import AuditEvent
from tumbuh.audit.services import record

from .access import region_safe


def required_for(user) -> bool:
    if not getattr(settings, "TUMBUH_REQUIRE_2FA", False) or not user.is_authenticated:
        return False
    role = "admin" if user.is_superuser else user.role
    return role in settings.TUMBUH_2FA_ROLES


class TwoFactorMiddleware:
    """After OTPMiddleware: a user who needs a second factor and has not given it reaches only
    the two-factor pages, logout and static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if required_for(user) and not user.is_verified():
            allowed = {reverse("accounts:otp_verify"), reverse("accounts:otp_setup"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                return redirect("accounts:otp_verify" if has_device else "accounts:otp_setup")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("6-digit code"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "autofocus": True}))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


def _next(request) -> str:
    return reverse(settings.LOGIN_REDIRECT_URL)


@region_safe
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_next(request))
        record(request.user, AuditEvent.Action.LOGIN_FAILED, object_type="accounts.user",
               object_id=request.user.pk, summary="two-factor code refused", request=request)
        form.add_error("code", _("That code is not right (or has expired). Enter the current code."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@region_safe
def otp_setup(request):
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists() and not request.user.is_verified():
        return redirect("accounts:otp_verify")  # replacing a device needs the current one first
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(request.user, AuditEvent.Action.UPDATE, object_type="accounts.user", object_id=request.user.pk,
                   summary="two-factor authenticator set up", request=request)
            return redirect(_next(request))
        form.add_error("code", _("That code is not right (or has expired). Enter the current code."))
    import base64

    import segno

    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, xmldecl=False, svgns=True)
    context = {
        "form": form,
        "qr_svg": svg.getvalue().decode(),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/otp_setup.html", context)
