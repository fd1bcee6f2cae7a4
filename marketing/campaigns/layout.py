"""The shop's e-mail layout around a campaign's text, rendered once per distinct content.

Every recipient of one text gets the same layout except for the message's own signed links
(the button, the products, the open pixel, unsubscribe). So the layout is rendered with a
marker in place of each such link, kept, and each message's links are put in where the markers
are: a broadcast to 200,000 people renders its layout once, not 200,000 times. The markers carry
a random part per process, so no text a marketer writes can contain one.

A trigger's text is personal (a cart's items, its total), so there each message renders its
own layout: that is why the layout is a Jinja2 template, which renders it in a third of the
time Django's engine takes. It is the shop's own file, not a marketer's text, so it runs
outside the sandbox, with HTML escaping on; its few words are translated here.
"""

import json
import secrets
from collections import OrderedDict

import jinja2
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from core.money import format_rubles

_NONCE = secrets.token_hex(6)
_LAYOUTS: OrderedDict[str, tuple[str, str]] = OrderedDict()
CACHE_SIZE = 256

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(settings.BASE_DIR / "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    auto_reload=False,  # the layout is the shop's file: read once per process, not stat()ed per message
)
_environment.filters.update(rub=format_rubles, linebreaksbr=lambda text: linebreaksbr(text, autoescape=True))


def link_marker(name: str) -> str:
    """What stands in the layout for the link named `name` until the message's own is put in."""
    return f"https://vitrina-link-{_NONCE}.invalid/{name}"


def _layout_render(context: dict, *, language: str) -> tuple[str, str]:
    with translation.override(language):
        context = {
            **context,
            "footer": gettext("You receive this e-mail because you agreed to news from %(shop_name)s.")
            % {"shop_name": context["shop_name"]},
            "unsubscribe": gettext("Unsubscribe"),
        }
        return (_environment.get_template("marketing/email/campaign.html").render(context),
                _environment.get_template("marketing/email/campaign.txt").render(context).strip())


def email_layout_render(context: dict, *, language: str, links: dict[str, str]) -> tuple[str, str]:
    """(HTML, plain text) of the layout for `context`, whose links are the markers of `links`'
    names; each marker is replaced by its link (HTML-escaped in the HTML, as the template would)."""
    key = json.dumps([language, context], sort_keys=True, default=str)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _LAYOUTS[key] = _layout_render(context, language=language)
        while len(_LAYOUTS) > CACHE_SIZE:
            _LAYOUTS.popitem(last=False)
    else:
        _LAYOUTS.move_to_end(key)
    html, text = layout
    for name, url in links.items():
        marker = link_marker(name)
        html, text = html.replace(marker, escape(url)), text.replace(marker, url)
    return html, text
