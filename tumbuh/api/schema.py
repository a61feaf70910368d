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


ERROR = {"type": "object", "additionalProperties": True,
         "description": "{field: [messages]} or {detail: message}; messages in Indonesian"}
ERRORS = {
    "400": "Invalid parameters or body",
    "401": "Not authenticated (no, unknown or revoked token)",
    "403": "Not allowed (no area in scope, or CSRF missing for a browser session)",
    "404": "Not found, or outside the requester's area",
    "405": "Method not allowed",
    "415": "Unsupported media type (send JSON)",
    "429": "Too many requests (throttled)",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors any endpoint
    may answer, so clients (and Schemathesis) know them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, text in ERRORS.items():
                if code == "415" and method == "get":
                    continue
                operation["responses"].setdefault(code, {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    return result
