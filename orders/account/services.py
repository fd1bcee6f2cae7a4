"""Orders a customer placed as a guest, added to the account they open later once they prove
the e-mail is theirs: a typed e-mail alone proves nothing, a link sent to it does."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.models import User
from orders.account.selectors import guest_orders_for_email

LINK_SALT = "orders.guest-orders"
LINK_MAX_AGE = 3 * 24 * 3600


def guest_orders_link(*, user: User, shop_url: str) -> str:
    """The link that adds the guest orders placed with the account's e-mail to the account."""
    token = signing.dumps({"user": user.pk, "email": user.email.lower()}, salt=LINK_SALT)
    return shop_url.rstrip("/") + reverse("account_orders:guest_orders_add", args=[token])


def guest_orders_link_send(*, user: User, shop_url: str) -> bool:
    """E-mail the link to the account's address, if guest orders with that address wait for it.
    Sending it again is harmless: any link still valid adds the same orders."""
    if not user.email or not guest_orders_for_email(email=user.email).exists():
        return False
    context = {"user": user, "link": guest_orders_link(user=user, shop_url=shop_url), "STORE_NAME": settings.STORE_NAME}
    send_mail(
        subject=render_to_string("orders/account/email/guest_orders_subject.txt", context).strip(),
        message=render_to_string("orders/account/email/guest_orders.txt", context),
        from_email=None, recipient_list=[user.email],
    )
    return True


@transaction.atomic
def guest_orders_add(*, user: User, token: str) -> int:
    """Add to `user`'s account the guest orders placed with the e-mail the link was sent to.
    The link must be this account's, for its current e-mail, and at most LINK_MAX_AGE old.
    Returns how many orders were added; a second use adds none."""
    try:
        claim = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired. Ask for a new one on your orders page."),
                              code="link_expired") from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid."), code="link_invalid") from None
    if claim.get("user") != user.pk or claim.get("email") != user.email.lower():
        raise ValidationError(_("This link was sent for another account or e-mail."), code="link_not_yours")
    return guest_orders_for_email(email=user.email).update(user=user)
