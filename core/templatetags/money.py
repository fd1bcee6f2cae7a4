from django import template

from core.money import format_rubles

register = template.Library()


@register.filter
def rub(value):
    """{{ product.price|rub }} -> 1 990 ₽"""
    return format_rubles(value)
