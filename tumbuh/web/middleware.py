from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .text import has_control, strip_control


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the user chose another language with the switcher (cookie).

    The browser's Accept-Language is ignored on purpose: many officers use phones and laptops set
    to English, and the product speaks Indonesian first.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


class RegionTimezoneMiddleware:
    """Times are shown in the user's own region's zone (WIB/WITA/WIT), not one server-wide zone.

    After AuthenticationMiddleware. Administrators and anonymous users get settings.TIME_ZONE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import timezone

        from .timezones import region_code_of, zone_for_region

        timezone.activate(zone_for_region(region_code_of(getattr(request, "user", None))))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class CleanRequestTextMiddleware:
    """A NUL character in a query or form parameter is answered with 400, before any view runs;
    other control characters in a posted form are removed (`_without_control`).

    No field of Tumbuh can hold one, and PostgreSQL refuses it inside a string literal (a
    ValueError, i.e. a 500, wherever a GET parameter reaches a filter: `?region=%00`). Django's
    forms already refuse NUL (ProhibitNullCharactersValidator); this covers the parameters views
    read directly. After CsrfViewMiddleware (which parses POST bodies anyway) and authentication (the page has its menu).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import SuspiciousOperation
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        for params in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    if request.path.startswith("/api/"):
                        # The API answers JSON, as its schema says (DRF's {"detail": ...} shape).
                        return JsonResponse({"detail": _("Request parameters may not contain NUL characters.")},
                                            status=400)
                    # Rendered by Django as 400.html (Indonesian) and logged to django.security.
                    raise SuspiciousOperation("NUL character in a request parameter")
        if request.method == "POST" and any(has_control(v) for _key, vs in request.POST.lists() for v in vs):
            request.POST = _without_control(request.POST)
        return self.get_response(request)


def _without_control(post):
    """A copy of a form's fields with the other control characters removed (issue 16 item 3): a
    pasted "\x02¥\x04" becomes "¥" in every form at once, as in imports and the API, and can never
    break an export. Tab, line feed and carriage return are kept; uploaded files are untouched."""
    cleaned = post.copy()
    for key in cleaned:
        cleaned.setlist(key, [strip_control(v) for v in post.getlist(key)])
    cleaned._mutable = False
    return cleaned
