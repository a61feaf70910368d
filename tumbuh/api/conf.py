"""Settings of the API (imported by tumbuh/settings.py): DRF and drf-spectacular."""

import os

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tumbuh.api.authentication.TokenAuthentication",
        "tumbuh.api.authentication.SessionAuthentication",
    ],
    # Deny by default: a view that says nothing still needs a user with a non-empty scope.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tumbuh.api.permissions.HasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["tumbuh.api.throttling.AnonThrottle", "tumbuh.api.throttling.UserThrottle"],
    "DEFAULT_PAGINATION_CLASS": "tumbuh.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    # JSON only: DRF's browsable API would render forms listing related objects.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tumbuh.api.parsers.CleanJSONParser"],  # control characters stripped
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tumbuh API",
    "DESCRIPTION": "REST API of Tumbuh (docs/api.md). Every answer is limited to the requester's area.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "MeasurementSourceEnum": "tumbuh.measurements.models.Measurement.Source",
        "DeliverySourceEnum": "tumbuh.interventions.models.DeliverySource",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tumbuh.api.schema.add_error_responses",
    ],
}

# Rates per client (docs/api.md "Throttling"): e.g. TUMBUH_API_RATE_USER=1200/minute
TUMBUH_API_RATES = {
    "anon": os.environ.get("TUMBUH_API_RATE_ANON", "60/minute"),
    "user": os.environ.get("TUMBUH_API_RATE_USER", "1200/minute"),
    "bulk": os.environ.get("TUMBUH_API_RATE_BULK", "60/minute"),
}
