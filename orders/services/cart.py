"""The shopping cart. Nothing here reserves stock: that happens only when an order is placed.
Stock is checked on every change so the shopper hears "only 3 left" before checkout."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from customers.models import User
from orders.models import Cart, CartLine

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# A number longer than this is only "more than any stock" and is read as the largest one this
# long: converting thousands of digits is refused by Python (and slow before that).
_DIGITS_MAX = 18
# Where a guest's session remembers their cart by id, for the pages and the API that fill it and
# for sign-in, which merges it into the account's: signing in gives the session a new key, so the
# key the cart was filed under is gone by then; the session data is kept.
CART_SESSION_KEY = "orders:cart_id"


def quantity_parse(value) -> int:
    """A quantity as the shopper or an API client sent it: a whole number, at least 1.
    Refuses 1.5, "1e3", "", True and anything that is not plainly a whole number. How many is
    too many is the stock's to say ("only 3 left"), however many digits the number has."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        text = value.strip()
        if len(text.lstrip("-").lstrip("0")) > _DIGITS_MAX:
            text = ("-" if text.startswith("-") else "") + "9" * _DIGITS_MAX
        value = int(text)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError({"quantity": _("Quantity must be a whole number.")}, code="invalid_quantity")
    if value < 1:
        raise ValidationError({"quantity": _("Quantity must be at least 1.")}, code="invalid_quantity")
    return value


def _available(product: Product, variant: ProductVariant | None) -> int:
    """Stock as it is now in the database, not as it was when the objects were loaded."""
    if variant is not None:
        return ProductVariant.objects.values_list("stock", flat=True).get(pk=variant.pk)
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


def _check_sellable(product: Product, variant: ProductVariant | None) -> None:
    if not product.is_active:
        raise ValidationError(_("“%(product)s” is no longer sold.") % {"product": product.name}, code="not_sold")
    if variant is not None:
        if variant.product_id != product.pk:
            raise ValidationError({"variant": _("This variant belongs to another product.")}, code="invalid_variant")
        if not variant.is_active:
            raise ValidationError(_("“%(product)s” is no longer sold.") % {"product": variant}, code="not_sold")
    elif ProductVariant.objects.filter(product=product).exists():
        raise ValidationError({"variant": _("Please choose a variant of “%(product)s”.") % {"product": product.name}},
                              code="variant_required")


def _check_stock(product: Product, variant: ProductVariant | None, quantity: int) -> None:
    available = _available(product, variant)
    if quantity > available:
        name = str(variant) if variant is not None else product.name
        if available > 0:
            message = _("Only %(available)s of “%(product)s” left in stock.")
        else:
            message = _("“%(product)s” is out of stock.")
        raise ValidationError(
            {"quantity": message % {"available": available, "product": name}}, code="out_of_stock"
        )


def _touch(cart: Cart) -> None:
    cart.updated_at = timezone.now()
    cart.save(update_fields=["updated_at"])


def cart_get_or_create(*, user: User | None = None, session_key: str = "") -> Cart:
    """The customer's cart, or the guest's cart of this session. Two requests racing to create
    it end with one cart (the database's unique constraints decide)."""
    if user is not None and user.is_authenticated:
        cart, _created = Cart.objects.get_or_create(user=user)
        return cart
    if not session_key:
        raise ValueError("A guest cart needs the session key.")
    cart, _created = Cart.objects.get_or_create(user=None, session_key=session_key)
    return cart


@transaction.atomic
def cart_add(*, cart: Cart, product: Product, variant: ProductVariant | None = None, quantity) -> CartLine:
    """Add items to the cart, on top of what is there. Refuses a bad quantity or more than is
    in stock with a message for the shopper; remembers today's price for the "price changed" notice."""
    quantity = quantity_parse(quantity)
    _check_sellable(product, variant)
    line = CartLine.objects.filter(cart=cart, product=product, variant=variant).first()
    total = quantity + (line.quantity if line else 0)
    _check_stock(product, variant, total)
    price = variant.price if variant is not None else product.price
    if line is None:
        try:
            with transaction.atomic():
                line = CartLine.objects.create(
                    cart=cart, product=product, variant=variant, quantity=total, price_when_added=price
                )
        except IntegrityError:
            # The same item added twice at once from two tabs: the second request adds to the first line.
            line = CartLine.objects.get(cart=cart, product=product, variant=variant)
            total = line.quantity + quantity
            _check_stock(product, variant, total)
            line.quantity, line.price_when_added = total, price
            line.save(update_fields=["quantity", "price_when_added"])
    else:
        line.quantity, line.price_when_added = total, price
        line.save(update_fields=["quantity", "price_when_added"])
    _touch(cart)
    return line


@transaction.atomic
def cart_line_set_quantity(*, line: CartLine, quantity) -> CartLine:
    """Change how many of an item the cart holds; the same checks as adding."""
    quantity = quantity_parse(quantity)
    _check_stock(line.product, line.variant, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    _touch(line.cart)
    return line


@transaction.atomic
def cart_line_remove(*, line: CartLine) -> None:
    cart = line.cart
    line.delete()
    _touch(cart)


@transaction.atomic
def cart_contact_update(*, cart: Cart, email: str = "", phone: str = "") -> Cart:
    """Remember how to reach the shopper as soon as they tell us (typed at checkout)."""
    fields = []
    if email and email.strip().lower() != cart.email:
        cart.email = email.strip().lower()
        fields.append("email")
    if phone and phone != cart.phone:
        cart.phone = phone
        fields.append("phone")
    if fields:
        cart.save(update_fields=fields)
    return cart


@transaction.atomic
def cart_merge(*, guest_cart: Cart, user_cart: Cart) -> Cart:
    """Move a guest's cart into the account's cart on sign-in and delete the guest cart.
    The same item in both carts is added up, but never above the stock left (and never
    below one: an item that sold out stays visible, checkout will say so)."""
    if guest_cart.pk == user_cart.pk:
        return user_cart
    existing = {(line.product_id, line.variant_id): line for line in user_cart.lines.all()}
    for line in guest_cart.lines.select_related("product", "variant"):
        mine = existing.get((line.product_id, line.variant_id))
        if mine is None:
            line.cart = user_cart
            line.save(update_fields=["cart"])
            continue
        wanted = mine.quantity + line.quantity
        mine.quantity = max(mine.quantity, min(wanted, _available(line.product, line.variant)), 1)
        mine.save(update_fields=["quantity"])
    if not user_cart.email and guest_cart.email:
        user_cart.email = guest_cart.email
    if not user_cart.phone and guest_cart.phone:
        user_cart.phone = guest_cart.phone
    guest_cart.delete()
    user_cart.updated_at = timezone.now()
    user_cart.save(update_fields=["email", "phone", "updated_at"])
    return user_cart
