"""/api/: the REST API (v1), its OpenAPI 3 schema and the interactive docs (docs/api.md).

The Django middleware lets these views through to DRF (they are marked `public` for it), because a
token-authenticated user is only known once DRF has authenticated the request; DRF then denies by
default (IsAuthenticated + HasScope on every view) and every view reads through the Scope."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tumbuh.accounts.access import public

from . import views

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("v1/measurements", views.MeasurementViewSet, basename="measurement")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", title="Dokumentasi API Tumbuh"),
         name="docs"),
    path("v1/measurements/bulk/", views.BulkMeasurementView.as_view(), name="measurement_bulk"),
    path("v1/posyandu/<int:posyandu_id>/roster/", views.RosterView.as_view(), name="roster"),
    *router.urls,
]

for pattern in urlpatterns:
    # DRF authenticates (session or token) and authorises inside the view: see the module docstring.
    public(pattern.callback)
