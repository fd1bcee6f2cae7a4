"""“Tell me when it is back”: the request, the guest's confirmation, and the product's return.

A signed-in customer's request counts at once; a guest's counts once they confirm the address
through the signed link e-mailed to them (double opt-in), so nobody can sign up someone else.
Either way the consent is kept as a Consent row about this kind of message only (source: the
form, and the wording version), and marketing.preferences lets it through even when the person
gets no other marketing. The message itself is the back-in-stock campaign's, sent by the engine
with the caps, the send window and the holdout of every campaign.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Product
from customers.models import Consent, User
from customers.services import consent_record
from marketing.campaigns.links import back_in_stock_confirm_url
from marketing.campaigns.models import BackInStockRequest, ProductRestock
from marketing.campaigns.triggers import person_of
from marketing.kinds import Channel, MessageKind
from marketing.preferences import CONSENT_FOR_CHANNEL
from marketing.services import message_enqueue

# The wording beside the form's button and on the confirmation page: change it with the text.
BACK_IN_STOCK_WORDING_VERSION = "back-in-stock-1"
Status = BackInStockRequest.Status


def _consent_record(request: BackInStockRequest) -> Consent:
    return consent_record(
        kind=CONSENT_FOR_CHANNEL[Channel.EMAIL], granted=True, wording_version=BACK_IN_STOCK_WORDING_VERSION,
        source=Consent.Source.BACK_IN_STOCK, topic=MessageKind.BACK_IN_STOCK, user=request.user,
        email=request.email,
    )


@transaction.atomic
def back_in_stock_request(*, product: Product, user: User | None = None, email: str = "") -> BackInStockRequest:
    """Ask to hear when `product` is back: for the signed-in `user`, or for a guest's `email`
    (then a confirmation e-mail goes out and the request waits for it).

    Guarantees: one open request per product and person (asking again returns it, and sends no
    second confirmation); a product on sale now is refused, as is a guest without an address."""
    if product.is_in_stock or not product.is_active:
        raise ValidationError(_("This product is on sale: you can order it now."))
    email = (user.email if user else email).strip().lower()
    if not email:
        raise ValidationError(_("Enter your e-mail address."))
    person = person_of(user_id=user.pk if user else None, email=email)
    existing = BackInStockRequest.objects.filter(product=product, person=person).exclude(
        status=Status.CANCELLED).first()
    if existing is not None:
        return existing
    request = BackInStockRequest(
        product=product, user=user, email=email, person=person,
        status=Status.ACTIVE if user else Status.UNCONFIRMED, confirmed_at=timezone.now() if user else None,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the same person's second click, at the same moment
        return BackInStockRequest.objects.get(product=product, person=person, status__in=[Status.ACTIVE,
                                                                                          Status.UNCONFIRMED])
    if user:
        _consent_record(request)
    else:
        message_enqueue(
            kind=MessageKind.BACK_IN_STOCK_CONFIRM, channel=Channel.EMAIL, recipient=email,
            context={"product_name": product.name, "link": back_in_stock_confirm_url(request.pk)},
            idempotency_key=f"back_in_stock_confirm:{request.pk}", language=translation.get_language(),
            reference=f"back_in_stock:{request.pk}",
        )
    return request


@transaction.atomic
def back_in_stock_confirm(*, request_id: int) -> BackInStockRequest | None:
    """The guest confirmed their address: the request counts from now, and their consent to
    this kind of message is recorded once, however often the link is used."""
    confirmed = BackInStockRequest.objects.filter(pk=request_id, status=Status.UNCONFIRMED).update(
        status=Status.ACTIVE, confirmed_at=timezone.now()
    )
    request = BackInStockRequest.objects.select_related("product").filter(pk=request_id).first()
    if confirmed and request is not None:
        _consent_record(request)
    return request


def product_restocks_record(*, product_ids: list[int]) -> int:
    """The products came back in stock: one ProductRestock each, for those somebody waits for
    (the back-in-stock campaign's scan answers them). Runs inside the stock's transaction."""
    waited_for = Product.objects.filter(pk__in=product_ids).filter(Exists(
        BackInStockRequest.objects.filter(product=OuterRef("pk"), status=Status.ACTIVE)
    )).values_list("pk", flat=True)
    now = timezone.now()
    return len(ProductRestock.objects.bulk_create(
        [ProductRestock(product_id=pk, restocked_at=now) for pk in waited_for]
    ))
