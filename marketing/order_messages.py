"""What the shop tells a customer about their order, and when.

`marketing.receivers` calls these inside the order's transaction, so the outbox rows commit or
roll back with the order's change and the sending is scheduled after commit (message_enqueue).
Every message has the key "order:<number>:<kind>:<channel>": an event that fires twice, or a
transition retried, finds the row it already wrote and sends nothing new.
"""

import datetime
import logging
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from marketing.kinds import Channel, MessageKind
from marketing.models import OutboundMessage
from marketing.services import message_enqueue
from orders.models import DeliveryMethod, Order, Refund

logger = logging.getLogger(__name__)

Status = Order.Status

STATUS_MESSAGES = {
    Status.CONFIRMED: MessageKind.ORDER_CONFIRMED,
    Status.SHIPPED: MessageKind.ORDER_SHIPPED,
    Status.READY_FOR_PICKUP: MessageKind.ORDER_READY_FOR_PICKUP,
    Status.DELIVERED: MessageKind.ORDER_DELIVERED,
}


def order_reference(order: Order) -> str:
    """What an order's messages are filed under (OutboundMessage.reference)."""
    return f"order:{order.number}"


def order_message_key(order: Order, *, kind: str, channel: str) -> str:
    return f"order:{order.number}:{kind}:{channel}"


def _language(order: Order) -> str:
    # Customers have no language preference yet; when they get one, it is read here.
    return settings.LANGUAGE_CODE[:2]


def _channels(order: Order) -> list[tuple[str, str]]:
    """(channel, recipient): always an SMS to the order's phone, an e-mail only if it has one."""
    channels = [(Channel.SMS, order.phone)]
    if order.email:
        channels.append((Channel.EMAIL, order.email))
    return channels


def tracking_url(order: Order) -> str:
    """The page where the customer follows the parcel, from settings.ORDER_TRACKING_URLS."""
    template = settings.ORDER_TRACKING_URLS.get(order.delivery_method.kind, "")
    if not (template and order.tracking_number):
        return ""
    return template.replace("{number}", quote(order.tracking_number.strip(), safe=""))


def pickup_address(order: Order, *, language: str) -> str:
    """Where the parcel waits: the pickup point, or the post office of the order's postcode."""
    point = order.pickup_point
    if point is not None:
        parts = [point.name, point.city, point.address]
        if point.opening_hours:
            parts.append(point.opening_hours)
        return ", ".join(part for part in parts if part)
    if order.delivery_method.kind == DeliveryMethod.Kind.POST:
        with translation.override(language):
            office = gettext("Post office %(postcode)s") % {"postcode": order.postcode} if order.postcode else ""
        return ", ".join(part for part in (office, order.address) if part)
    return order.address


def storage_deadline(ready_at: datetime.datetime) -> datetime.date:
    """The last day the parcel is kept, in the shop's time zone."""
    return timezone.localdate(ready_at + datetime.timedelta(days=settings.PICKUP_STORAGE_DAYS))


def refunded_amount(order: Order) -> Decimal:
    """What the provider has given back of the order's online payments."""
    total = Refund.objects.filter(payment__order=order, status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))
    return total["total"] or Decimal("0.00")


def _context(order: Order, kind: str, *, language: str, now: datetime.datetime) -> dict:
    context = {"order_number": order.number, "total": order.total_to_pay, "customer_name": order.name}
    if kind == MessageKind.ORDER_REFUNDED:
        context.update(refund_amount=refunded_amount(order))
    if kind == MessageKind.ORDER_SHIPPED:
        context.update(tracking_number=order.tracking_number, tracking_url=tracking_url(order))
    if kind in (MessageKind.ORDER_READY_FOR_PICKUP, MessageKind.ORDER_PARCEL_WAITING):
        context.update(
            pickup_address=pickup_address(order, language=language),
            storage_deadline=order.pickup_deadline or storage_deadline(now),
            tracking_number=order.tracking_number,
        )
    return context


def order_messages_enqueue(
    *, order: Order, kind: str, send_after: datetime.datetime | None = None
) -> list[OutboundMessage]:
    """Write this order's message of `kind` for each of its channels, once per order, kind and
    channel. Must run inside the transaction of the change that causes it.

    A message that cannot be written is logged and left out rather than failing the order's
    change: each one is written in its own savepoint, so the order's transaction stays usable.
    """
    now = timezone.now()
    language = _language(order)
    context = _context(order, kind, language=language, now=now)
    messages = []
    for channel, recipient in _channels(order):
        try:
            with transaction.atomic():
                messages.append(message_enqueue(
                    kind=kind, channel=channel, recipient=recipient, context=context,
                    idempotency_key=order_message_key(order, kind=kind, channel=channel),
                    language=language, customer_timezone=order.timezone, send_after=send_after,
                    reference=order_reference(order),
                ))
        except Exception:
            logger.exception("Order %s: the %s %s message could not be written", order.number, kind, channel)
    return messages


def order_parcel_reminder_schedule(*, order: Order) -> list[OutboundMessage]:
    """"Your parcel is still waiting", due settings.PARCEL_REMINDER_DAYS from now: a due time on
    the row, which the sweep sends, never a countdown in the broker."""
    send_after = timezone.now() + datetime.timedelta(days=settings.PARCEL_REMINDER_DAYS)
    return order_messages_enqueue(order=order, kind=MessageKind.ORDER_PARCEL_WAITING, send_after=send_after)


def order_parcel_reminder_cancel(*, order: Order, reason: str) -> int:
    """Cancel the parcel reminder if it has not gone out yet; returns how many rows it cancelled.
    A conditional update: a reminder a worker is sending right now is left to finish."""
    keys = [
        order_message_key(order, kind=MessageKind.ORDER_PARCEL_WAITING, channel=channel) for channel in Channel.values
    ]
    return OutboundMessage.objects.filter(idempotency_key__in=keys, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.CANCELLED, last_error=reason[:2000], updated_at=timezone.now()
    )
