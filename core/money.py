"""Money is Decimal rubles with kopecks; these helpers keep it that way."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

KOPECK = Decimal("0.01")
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to kopecks the way a cashier does (half up). Floats are refused."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal or a string.")
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def format_rubles(value: Decimal | int | str | None, language: str | None = None, *, kopecks: bool = False) -> str:
    """"1 990 ₽" in Russian, "1,990 ₽" in English; kopecks only when there are some, or always
    with `kopecks` ("24 769,00 ₽", as the back-office's columns of amounts line up)."""
    if value is None or value == "":
        return ""
    amount = to_money(value)
    language = (language or get_language() or "ru")[:2]
    group, decimal_sign = (",", ".") if language == "en" else (NARROW_NBSP, ",")
    whole, cents = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", group)
    sign = "−" if amount < 0 else ""
    text = grouped if cents == "00" and not kopecks else f"{grouped}{decimal_sign}{cents}"
    return f"{sign}{text}{NBSP}₽"
