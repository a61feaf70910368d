from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tumbuh.audit.adminlog import AuditedAdminMixin

from .models import User
from .services import unlock_logins


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "region", "posyandu", "puskesmas")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "region", "posyandu", "puskesmas")}),
    )
    list_display = ("username", "get_full_name", "role", "scope_label", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    list_select_related = ("region", "posyandu", "puskesmas")
    search_fields = ("username", "first_name", "last_name", "email", "region__name", "posyandu__name")
    raw_id_fields = ("region", "posyandu", "puskesmas")
    actions = ["unlock"]

    @admin.action(description=_("Unlock logins of the selected users (after too many failed attempts)"))
    def unlock(self, request, queryset):
        cleared = sum(unlock_logins(request.user, username=u.username, request=request) for u in queryset)
        self.message_user(request, _("Unlocked; %(n)d failed-login counters cleared.") % {"n": cleared})

    @admin.display(description=_("scope"))
    def scope_label(self, obj):
        return obj.scope_label


# Two-factor devices: administrators may only see and delete them (a user who lost the phone sets
# up again at the next login); django-otp's own admin adds key/QR views we do not expose.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
