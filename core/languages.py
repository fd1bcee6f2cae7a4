"""Which language a page speaks, and where its other languages live.

The shoppers' pages carry their language in the address: none for the shop's own language
(/product/shampoo/), a prefix for the others (/en/product/shampoo/), so that search engines index
each language at an address of its own and can be told of the others (hreflang). Every other
address (the admin, the API, links in messages) speaks the language the person chose with the
language switch, or else their browser's, as one address serves everyone there."""

from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, NoReverseMatch, Resolver404, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.i18n import set_language


def speaks_by_address(path: str) -> bool:
    """Is this one of the pages whose address names its language (config/urls.py's i18n_patterns)?"""
    if translation.get_language_from_path(path):
        return True
    with translation.override(settings.LANGUAGE_CODE):  # an address without a prefix is the shop's language
        for pattern in get_resolver().url_patterns:
            if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
                try:
                    pattern.resolve(path.lstrip("/"))
                except Resolver404:
                    continue
                return True
    return False


def page_speaks_by_address(request) -> bool:
    """speaks_by_address for the request's page, worked out once per request: the middleware asks
    before the view runs, the page's hreflang links ask again while it renders."""
    if not hasattr(request, "_speaks_by_address"):
        request._speaks_by_address = speaks_by_address(request.path_info)
    return request._speaks_by_address


def language_versions(request) -> dict[str, str]:
    """The request's page in every language the shop speaks, by language code; none for a page whose
    address does not name its language, or that no address leads to (a 404). Reversed from the match
    Django found the view by, as translate_url would but without resolving the address once more
    for each language."""
    match = request.resolver_match
    if match is None or not page_speaks_by_address(request):
        return {}
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    versions = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            try:
                versions[code] = reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:  # a page without a name keeps its own address, as with translate_url
                versions[code] = request.path
    return versions


def language_switch(request):
    """Django's set_language, which leads to the page's address in the chosen language. It finds the
    page under the language that page is in (its prefix, or none for the shop's language), not the
    switching person's current one, which may differ: a browser asking for English on a Russian page."""
    next_path = urlsplit(request.POST.get("next") or request.GET.get("next") or "").path
    with translation.override(translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE):
        return set_language(request)


class AddressOrChoiceLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware speaks the shop's language on every address without a language
    prefix once some addresses have one; here that holds only for the shoppers' pages."""

    def process_request(self, request):
        super().process_request(request)
        request.language_by_choice = not page_speaks_by_address(request)
        if request.language_by_choice:
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if getattr(request, "language_by_choice", False):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
