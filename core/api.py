"""The rules every API view shares, set once in settings.REST_FRAMEWORK so that no view (ours or
a new app's) can forget them: who a cookie may speak for, how deep a JSON body may go, and how
often one client may call."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions, parsers, throttling
from rest_framework.authentication import SessionAuthentication
from rest_framework.settings import api_settings

from core.client_address import client_address
from core.csrf import is_cross_origin


class SessionCookieAuthentication(SessionAuthentication):
    """The browser's session cookie, for signed-in customers and guests alike.

    DRF checks CSRF only for a signed-in user, yet a guest's cookie carries a cart and a checkout
    too. A browser attaches cookies by itself, so every unsafe request that reaches this class
    (no token authenticated it) must come from the shop's own pages, by the store's cross-origin
    rule. Clients that send a token are never asked: nothing ambient speaks for them."""

    def authenticate(self, request):
        if is_cross_origin(request._request):
            raise exceptions.PermissionDenied(_("Cross-origin request refused."))
        return super().authenticate(request)


class SessionCookieScheme(SessionScheme):
    """The schema names it as DRF's session cookie."""

    target_class = SessionCookieAuthentication


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested deeper than Python can parse with 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from None


class _ClientThrottle:
    """Counts per client address (core.client_address, which knows the trusted proxies) and
    reads its rate when asked, so a changed REST_FRAMEWORK setting applies at once."""

    def get_ident(self, request) -> str:
        return client_address(request)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_ClientThrottle, throttling.AnonRateThrottle):
    """API_THROTTLE_ANON requests per client address for guests."""


class UserRateThrottle(_ClientThrottle, throttling.UserRateThrottle):
    """API_THROTTLE_USER requests per signed-in user (per address for guests)."""


def schema_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors every API view
    can answer with, in the one error shape (config/api_errors.py): 400 bad input (a NUL
    character, JSON nested too deep), 401 a token that is not valid, 403 another site's request or
    a missing permission, 429 too many requests; 404 where the path names something or a page
    is asked for (a page past the last one); 413 where there is a body. An operation's own
    description of a code is kept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ApiError"] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": True},
            "code": {"type": "string"},
        },
        "required": ["detail"],
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    descriptions = {
        "400": "Bad input", "401": "The token is not valid", "403": "Refused", "404": "Not found",
        "413": "The body is too large", "429": "Too many requests; Retry-After says when to try again",
    }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            codes = ["400", "401", "403", "429"]
            if "{" in path or any(parameter.get("name") == "page" for parameter in operation.get("parameters", [])):
                codes.append("404")
            if "requestBody" in operation:
                codes.append("413")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": descriptions[code], "content": error})
    return result
