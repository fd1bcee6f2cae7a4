from django import template
from django.conf import settings
from django.utils.html import format_html_join

from core.languages import language_versions

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context) -> str:
    """<link rel="alternate" hreflang> to this page in each of the shop's languages, and the shop's
    own language as the default, for search engines (nothing where the address names no language)."""
    request = context["request"]
    versions = language_versions(request)
    if not versions:
        return ""
    links = [(code, request.build_absolute_uri(url)) for code, url in versions.items()]
    links.append(("x-default", request.build_absolute_uri(versions[settings.LANGUAGE_CODE])))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', links)
