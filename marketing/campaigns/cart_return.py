"""The "return to your cart" link: the abandoned cart's items come back on any device.

On the device where the cart was left, or signed in to its account, it is the same cart and
nothing moves. Elsewhere the items are added to that browser's cart with the cart's own rules
(stock, sellable, today's price); an item that cannot be added is left out."""

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Product
from orders.models import Cart
from orders.services import cart_add, cart_get_or_create
from orders.services.cart import CART_SESSION_KEY


def _visitor_cart(request) -> Cart:
    if request.user.is_authenticated:
        return cart_get_or_create(user=request.user)
    if not request.session.session_key:
        request.session.create()
    cart = cart_get_or_create(session_key=request.session.session_key)
    request.session[CART_SESSION_KEY] = cart.pk
    return cart


def cart_return(*, request, cart_id: int) -> Cart | None:
    """Bring the items of cart `cart_id` into this visitor's cart; returns that cart."""
    source = Cart.objects.filter(pk=cart_id).first()
    if source is None:
        return None
    target = _visitor_cart(request)
    if target.pk == source.pk:
        return target
    present = set(target.lines.values_list("product_id", "variant_id"))
    for line in source.lines.select_related("product", "variant").order_by("added_at", "id"):
        if (line.product_id, line.variant_id) in present:
            continue
        try:
            with transaction.atomic():
                cart_add(cart=target, product=line.product, variant=line.variant, quantity=line.quantity)
        except ValidationError:
            continue
    return target


def product_reorder(*, request, product_id: int) -> bool:
    """Put one of the product in this visitor's cart; False when it cannot be sold as it is
    (sold out, no longer sold, a variant to choose): the shopper is shown the product instead."""
    product = Product.objects.active().filter(pk=product_id).first()
    if product is None:
        return False
    try:
        with transaction.atomic():
            cart_add(cart=_visitor_cart(request), product=product, variant=None, quantity=1)
    except ValidationError:
        return False
    return True
