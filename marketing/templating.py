"""Message texts written by shop staff, rendered safely.

Django's template language is meant for developers: a text can reach any attribute of what it
is given. Message texts are written by marketers and managers, so they are rendered by Jinja2's
immutable sandbox over a context of plain values (strings, numbers), with StrictUndefined so a
missing value is an error rather than a silent blank. On top of the sandbox a text is checked
when saved: only placeholders, `if` blocks and a few text filters are allowed, and only the
placeholders its kind declares.
"""

import datetime
import functools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from core.money import format_rubles

# Texts are plain text (SMS and text e-mail), so nothing is HTML-escaped.
_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)

ALLOWED_FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "default", "truncate", "replace"})
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.CondExpr,
    nodes.Filter,
    nodes.Compare,
    nodes.Operand,
)


class TemplateTextError(ValueError):
    """A text that cannot be used; the message says what to fix, in the author's words."""


def template_check(source: str, *, allowed: frozenset[str]) -> None:
    """Refuse a text with a syntax error, an unknown placeholder or anything beyond placeholders."""
    try:
        tree = _env.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateTextError(
            translation.gettext("Syntax error on line %(line)s: %(message)s")
            % {"line": error.lineno, "message": error.message}
        ) from None
    unknown = sorted({node.name for node in tree.find_all(nodes.Name)} - allowed)
    if unknown:
        raise TemplateTextError(
            translation.ngettext(
                "Unknown placeholder {{ %(names)s }}. Allowed: %(allowed)s.",
                "Unknown placeholders %(names)s. Allowed: %(allowed)s.",
                len(unknown),
            )
            % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
        )
    for node in _walk(tree):
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise TemplateTextError(
                translation.gettext("Filter “%(name)s” is not allowed. Allowed: %(allowed)s.")
                % {"name": node.name, "allowed": ", ".join(sorted(ALLOWED_FILTERS))}
            )
        if not isinstance(node, _ALLOWED_NODES):
            raise TemplateTextError(
                translation.gettext(
                    "Only placeholders like {{ order_number }}, {%% if ... %%} blocks and text filters "
                    "are allowed (line %(line)s)."
                )
                % {"line": getattr(node, "lineno", "?")}
            )


def _walk(node):
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


@functools.lru_cache(maxsize=512)
def _compiled(source: str):
    # Compiling costs far more than rendering, and a campaign renders one text thousands of times.
    return _env.from_string(source)


def template_render(source: str, context: dict) -> str:
    """Render in the sandbox. Raises TemplateTextError for anything the text cannot do."""
    try:
        return _compiled(source).render(context).strip()
    except TemplateError as error:  # SecurityError and UndefinedError are TemplateErrors
        raise TemplateTextError(str(error)) from None


def plain_context(values: dict, *, allowed: frozenset[str], language: str, time_zone: str) -> dict[str, str | int]:
    """Keep the allowed keys and turn each value into what the customer should read.

    Money (Decimal) reads "4 990 ₽", dates and times are written the customer's language way and
    in their time zone. Anything else than a plain value is refused: a text must never be handed
    a model instance or a callable.
    """
    zone = ZoneInfo(time_zone)
    plain: dict[str, str | int] = {}
    with translation.override(language):
        for key, value in values.items():
            if key not in allowed:
                continue
            if value is None:
                plain[key] = ""
            elif isinstance(value, bool):
                raise TypeError(f"Placeholder {key!r} got a bool; pass the text the customer should read.")
            elif isinstance(value, Decimal):
                plain[key] = format_rubles(value, language)
            elif isinstance(value, datetime.datetime):
                plain[key] = formats.date_format(value.astimezone(zone), "DATETIME_FORMAT")
            elif isinstance(value, datetime.date):
                plain[key] = formats.date_format(value, "DATE_FORMAT")
            elif isinstance(value, int | str):
                plain[key] = value
            elif isinstance(value, float):
                raise TypeError(f"Placeholder {key!r} got a float; money and amounts are Decimal.")
            else:
                raise TypeError(f"Placeholder {key!r} must be a plain value, got {type(value).__name__}.")
    return plain


def sms_segments(text: str) -> int:
    """How many SMS a text takes: 160/153 characters in the GSM alphabet, 70/67 in Unicode (Cyrillic)."""
    if not text:
        return 0
    single, multi = (160, 153) if all(ord(char) < 128 for char in text) else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)
