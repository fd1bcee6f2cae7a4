"""What an order costs: the one place that turns goods into the amount to pay.

goods → promo discount → delivery (priced on the goods after the discount) → points → to pay.

`price_quote` is the arithmetic; `cart_quote` prices a cart as checkout would sell it today.
The checkout page and its live summary, the API's quote and checkout, `order_place`, the
managers' order edits and the marketing e-mails about a cart all call these, so the amount a
shopper is shown is the amount the order is placed at."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from core.money import to_money
from customers.models import User
from customers.services import InsufficientPoints
from orders.models import Cart, CartLine, DeliveryMethod, PromoCode
from orders.services.promo import promo_code_check

ZERO = Decimal("0.00")


def points_max_for(goods_to_pay: Decimal) -> int:
    """The most points that may pay for goods worth `goods_to_pay` (after the promo discount)."""
    return int((goods_to_pay * settings.POINTS_MAX_SHARE).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class QuotedLine:
    """A cart line at today's price."""

    line: CartLine
    product: Product
    variant: ProductVariant | None
    unit_price: Decimal

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def total(self) -> Decimal:
        return to_money(self.unit_price * self.line.quantity)

    @property
    def name(self) -> str:
        return str(self.variant) if self.variant is not None else self.product.name


@dataclass(frozen=True)
class Quote:
    """The price of an order, step by step, in rubles and kopecks.

    `delivery` is None while no delivery method is chosen; `total` then leaves delivery out
    and `is_final` is False. `errors` holds the promo code or points the shopper asked for
    but cannot have (field name → ValidationErrors with their codes); the amounts are then
    computed without them."""

    goods: Decimal
    discount: Decimal
    delivery: Decimal | None
    points: int
    points_max: int
    total: Decimal
    promo: PromoCode | None = None
    delivery_method: DeliveryMethod | None = None
    lines: tuple[QuotedLine, ...] = ()
    errors: dict[str, list[ValidationError]] = field(default_factory=dict)

    @property
    def goods_to_pay(self) -> Decimal:
        return self.goods - self.discount

    @property
    def is_final(self) -> bool:
        """The amount the order would be placed at: a delivery method is chosen, nothing refused."""
        return self.delivery is not None and not self.errors

    def delivery_price_for(self, method: DeliveryMethod) -> Decimal:
        """What `method` would cost for these goods: the price each option shows at checkout."""
        return to_money(method.price_for(self.goods_to_pay))

    def raise_errors(self) -> None:
        """Refuse the order for the promo code or points it cannot have."""
        if self.errors:
            raise ValidationError(self.errors)


def price_quote(
    *, goods: Decimal, delivery_method: DeliveryMethod | None, promo: PromoCode | None = None, points: int = 0,
    lines: tuple[QuotedLine, ...] = (), errors: dict | None = None,
) -> Quote:
    """The arithmetic, and nothing else: no checks, no queries. `promo` must already be one the
    order may have (promo_code_check, or the code an order was placed with)."""
    discount = to_money(promo.discount_for(goods)) if promo is not None else ZERO
    goods_to_pay = goods - discount
    delivery = to_money(delivery_method.price_for(goods_to_pay)) if delivery_method is not None else None
    return Quote(
        goods=to_money(goods), discount=discount, delivery=delivery, points=points,
        points_max=points_max_for(goods_to_pay), total=to_money(goods_to_pay + (delivery or ZERO) - points),
        promo=promo, delivery_method=delivery_method, lines=lines, errors=errors or {},
    )


def carts_quote(*, carts: list[Cart | int]) -> dict[int, Quote]:
    """What each cart costs if ordered now, as cart_quote says with no delivery, code or points
    chosen (the figure a reminder of the cart shows), for many carts in one query; a cart that
    cannot be priced (empty, or holding a product no longer sold) is left out."""
    lines: dict[int, list[CartLine]] = defaultdict(list)
    for line in _lines_to_quote(CartLine.objects.filter(cart__in=carts)):
        lines[line.cart_id].append(line)
    quotes = {}
    for cart_id, cart_lines in lines.items():
        try:
            quoted = _lines_priced(cart_lines)
        except ValidationError:
            continue
        quotes[cart_id] = price_quote(goods=sum((line.total for line in quoted), ZERO), delivery_method=None,
                                      lines=quoted)
    return quotes


def _lines_to_quote(lines):
    return lines.select_related("product", "variant__product").order_by("id")


def _quoted_lines(cart: Cart | None) -> tuple[QuotedLine, ...]:
    return _lines_priced(list(_lines_to_quote(cart.lines.all())) if cart else [])


def _lines_priced(lines: list[CartLine]) -> tuple[QuotedLine, ...]:
    if not lines:
        raise ValidationError(_("Your cart is empty."), code="cart_empty")
    quoted = []
    for line in lines:
        product, variant = line.product, line.variant
        if not (product.is_active and (variant is None or variant.is_active)):
            raise ValidationError(
                _("“%(product)s” is no longer sold; please remove it from the cart."),
                code="not_sold", params={"product": str(variant or product)},
            )
        quoted.append(QuotedLine(line, product, variant, variant.price if variant else product.price))
    return tuple(quoted)


def cart_quote(
    *,
    cart: Cart | None,
    delivery_method: DeliveryMethod | None = None,
    promo_code: str = "",
    points: int = 0,
    customer: User | None = None,
    email: str = "",
    phone: str = "",
    points_balance: int | None = None,
) -> Quote:
    """What the cart costs if ordered now: today's prices, the promo code if this customer
    (account, e-mail or phone) may use it, delivery by `delivery_method` (None: not chosen yet),
    and `points` within the share of the goods they may pay and, when `points_balance` is
    given, within the balance.

    An empty cart or a product no longer sold raises ValidationError: there is nothing to price.
    A promo code or points the order cannot have are left out of the amounts and reported in
    `Quote.errors` under "promo_code" / "points", so a page can show the price and the reason
    together; `order_place` refuses such an order."""
    lines = _quoted_lines(cart)
    goods = sum((line.total for line in lines), ZERO)
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    promo = None
    if (promo_code or "").strip():
        try:
            promo = promo_code_check(code=promo_code, goods_total=goods, user=customer, email=email, phone=phone)
        except ValidationError as error:
            errors["promo_code"].extend(error.error_dict["promo_code"])
    quote = price_quote(goods=goods, delivery_method=delivery_method, promo=promo, lines=lines)
    points_error = _points_error(points, quote=quote, customer=customer, balance=points_balance)
    if points_error is not None:
        errors["points"].append(points_error)
    elif points:
        quote = price_quote(goods=goods, delivery_method=delivery_method, promo=promo, points=points, lines=lines)
    return replace(quote, errors=dict(errors))


def _points_error(points: int, *, quote: Quote, customer: User | None, balance: int | None) -> ValidationError | None:
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        return ValidationError(_("Points must be a whole number."), code="invalid_points")
    if not points:
        return None
    if customer is None:
        return ValidationError(_("Please sign in to pay with points."), code="points_need_account")
    if points > quote.points_max:
        return ValidationError(
            _("At most %(max)s points can pay for this order."), code="points_above_share",
            params={"max": quote.points_max},
        )
    if balance is not None and points > balance:
        return InsufficientPoints(balance=balance, requested=points)
    return None
