"""The shop's e-mail layout around a campaign's text, rendered once per distinct content.

Every recipient of one text gets the same layout except for the message's own signed links
(the button, the products, the open pixel, unsubscribe). So the layout is rendered with a
marker in place of each such link, kept, and each message's links are put in where the markers
are: a broadcast to 200,000 people renders its layout once, not 200,000 times. The markers carry
a random part per process, so no text a marketer writes can contain one.
"""

import json
import secrets
from collections import OrderedDict

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

_NONCE = secrets.token_hex(6)
_LAYOUTS: OrderedDict[str, tuple[str, str]] = OrderedDict()
CACHE_SIZE = 256


def link_marker(name: str) -> str:
    """What stands in the layout for the link named `name` until the message's own is put in."""
    return f"https://vitrina-link-{_NONCE}.invalid/{name}"


def email_layout_render(context: dict, *, language: str, links: dict[str, str]) -> tuple[str, str]:
    """(HTML, plain text) of the layout for `context`, whose links are the markers of `links`'
    names; each marker is replaced by its link (HTML-escaped in the HTML, as the template would)."""
    key = json.dumps([language, context], sort_keys=True, default=str)
    layout = _LAYOUTS.get(key)
    if layout is None:
        with translation.override(language):
            layout = (render_to_string("marketing/email/campaign.html", context),
                      render_to_string("marketing/email/campaign.txt", context).strip())
        _LAYOUTS[key] = layout
        while len(_LAYOUTS) > CACHE_SIZE:
            _LAYOUTS.popitem(last=False)
    else:
        _LAYOUTS.move_to_end(key)
    html, text = layout
    for name, url in links.items():
        marker = link_marker(name)
        html, text = html.replace(marker, escape(url)), text.replace(marker, url)
    return html, text
