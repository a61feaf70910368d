from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("tumbuh.accounts.urls")),
    path("audit/", include("tumbuh.audit.urls")),
    path("registry/", include("tumbuh.registry.urls")),
    path("measurements/", include("tumbuh.measurements.urls")),
    path("imports/", include("tumbuh.imports.urls")),
    path("analytics/", include("tumbuh.analytics.urls")),
    path("targets/", include("tumbuh.targets.urls")),
    path("coordination/", include("tumbuh.coordination.urls")),
    path("interventions/", include("tumbuh.interventions.urls")),
    path("api/", include("tumbuh.api.urls")),
    path("indicators/", include("tumbuh.indicators.urls")),
    path("convergence/", include("tumbuh.convergence.urls")),
    path("reports/", include("tumbuh.reports.urls")),
    path("", include("tumbuh.web.urls")),
]

