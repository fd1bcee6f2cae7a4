from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format

from core.money import format_rubles

register = template.Library()


@register.simple_tag
def cell(row: dict, column) -> str:
    return figure(row.get(column.key), row.get("kind", "int") if column.kind == "by_row" else column.kind)


@register.filter
def figure(value, kind: str = "int") -> str:
    """A figure as the owner reads it: "1 990 ₽", "2,35 %", "12 450"; a dash when unknown."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_rubles(Decimal(value).quantize(Decimal("1")))
    if kind == "percent":
        return f"{number_format(Decimal(str(value)).quantize(Decimal('0.1')), decimal_pos=1)} %"
    if kind == "int":
        return intcomma(value)
    return str(value)
