"""Reactions of the orders app: a guest's cart follows the shopper into their account."""

import logging

from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError
from django.dispatch import receiver

from orders.models import Cart
from orders.services import cart_get_or_create, cart_merge
from orders.services.cart import CART_SESSION_KEY

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="orders.cart_merge_on_sign_in")
def cart_merge_on_sign_in(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    cart_id = session.pop(CART_SESSION_KEY, None)
    guest_cart = Cart.objects.filter(pk=cart_id, user=None).first() if cart_id else None
    if guest_cart is None:
        return
    try:
        cart_merge(guest_cart=guest_cart, user_cart=cart_get_or_create(user=user))
    except DatabaseError:
        # Signing in must not fail because of a cart; the guest cart simply stays behind.
        logger.exception("Could not merge guest cart %s into the cart of user %s", guest_cart.pk, user.pk)
