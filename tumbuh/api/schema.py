"""How the OpenAPI schema describes Tumbuh's authentication (imported by ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "tumbuh.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token tmb_…` (or `Bearer tmb_…`): a per-user token from /api/tokens/"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "tumbuh.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The browser's Tumbuh session; unsafe methods need the X-CSRFToken header"}
