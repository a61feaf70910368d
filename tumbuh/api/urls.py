"""/api/: the REST API (v1), its OpenAPI 3 schema and the interactive docs (docs/api.md).

The Django middleware lets these views through to DRF (they are marked `public` for it), because a
token-authenticated user is only known once DRF has authenticated the request; DRF then denies by
default (IsAuthenticated + HasScope on every view) and every view reads through the Scope."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tumbuh.accounts.access import public

from . import deliveries, indicators, pages, resources, views

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("v1/measurements", views.MeasurementViewSet, basename="measurement")
router.register("v1/regions", resources.RegionViewSet, basename="region")
router.register("v1/posyandu", resources.PosyanduViewSet, basename="posyandu")
router.register("v1/people", resources.PersonViewSet, basename="person")
router.register("v1/households", resources.HouseholdViewSet, basename="household")
router.register("v1/targets/catin", resources.CatinViewSet, basename="catin")
router.register("v1/targets/pregnancies", resources.PregnancyViewSet, basename="pregnancy")
router.register("v1/targets/postpartum", resources.PostpartumViewSet, basename="postpartum")
router.register("v1/targets/adolescents", resources.AdolescentViewSet, basename="adolescent")
router.register("v1/targets/krs", resources.KrsViewSet, basename="krs")
router.register("v1/meetings", resources.MeetingViewSet, basename="meeting")
router.register("v1/commitments", resources.CommitmentViewSet, basename="commitment")
router.register("v1/catalogue", resources.CatalogueViewSet, basename="catalogue")
router.register("v1/deliveries", resources.DeliveryViewSet, basename="delivery")
router.register("v1/gaps", resources.GapViewSet, basename="gap")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", title="Dokumentasi API Tumbuh"),
         name="docs"),
    path("v1/measurements/bulk/", views.BulkMeasurementView.as_view(), name="measurement_bulk"),
    path("v1/deliveries/bulk/", deliveries.BulkDeliveryView.as_view(), name="delivery_bulk"),
    path("v1/posyandu/<int:posyandu_id>/roster/", views.RosterView.as_view(), name="roster"),
    path("v1/prevalence/", resources.PrevalenceView.as_view(), name="prevalence"),
    path("v1/scorecard/", indicators.ScorecardView.as_view(), name="scorecard"),
    path("v1/ranpasti/", indicators.RanPastiView.as_view(), name="ranpasti"),
    *router.urls,
    # Anything else under /api/ is a JSON 404 too (not the HTML page), as clients expect.
    re_path(r"^v1/.*$", views.not_found, name="not_found"),
]
for pattern in urlpatterns:
    # DRF authenticates (session or token) and authorises inside the view: see the module docstring.
    public(pattern.callback)

urlpatterns += [
    # An HTML page of the account area (session only, behind the middleware like every page).
    path("tokens/", pages.tokens, name="tokens"),
]
