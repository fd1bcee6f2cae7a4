"""Links that carry the shopper's filters but never the campaign tags they arrived with (a page is
cached for everyone, so one visitor's utm_source must not end up in its links), and the page's
structured data."""

import json
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from catalog.cache import IGNORED_PARAMS

register = template.Library()


def _kept_params(request, dropped: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.GET.lists()
            if key not in IGNORED_PARAMS and key not in dropped for value in values]


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """"?brand=x&page=2" from the current filters with `changes` applied: {% query_with page=2 %}."""
    params = _kept_params(context["request"], tuple(changes))
    params += [(key, str(value)) for key, value in changes.items() if value not in (None, "")]
    return f"?{urlencode(params)}" if params else "?"


@register.simple_tag(takes_context=True)
def kept_params(context, *dropped: str) -> list[tuple[str, str]]:
    """The current filters as (name, value) pairs, for hidden fields of another form."""
    return _kept_params(context["request"], dropped)


@register.simple_tag(takes_context=True)
def current_path_without_tracking(context) -> str:
    request = context["request"]
    params = _kept_params(request, ())
    return f"{request.path}?{urlencode(params)}" if params else request.path


# What JSON may not carry inside a <script> element unescaped (as Django's json_script does).
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def structured_data(items) -> str:
    """schema.org JSON-LD blocks. They are data, not scripts: the Content-Security-Policy does not
    apply to them, and search engines and link previews read them."""
    return format_html_join(
        "\n", '<script type="application/ld+json">{}</script>',
        ((mark_safe(json.dumps(item, ensure_ascii=False).translate(_SCRIPT_SAFE)),) for item in items or ()),  # noqa: S308
    )


@register.inclusion_tag("includes/stars.html")
def stars(rating) -> dict:
    """Five stars filled to the rating, to the nearest half (the style sheet has a class per step,
    as the Content-Security-Policy allows no inline styles); read out as "4.3 out of 5"."""
    value = float(rating or 0)
    return {"rating": value, "percent": min(10, max(0, round(value * 2))) * 10}
