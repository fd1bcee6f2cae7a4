"""Marketing's reactions to what the orders app and the catalog announce. The signals arrive
inside the transaction of their cause (the order, the stock): the rows written here (outbox
messages, task changes, a product's return) commit or roll back with it, and message_enqueue
schedules the sending after commit."""

from django.dispatch import receiver
from django.utils.translation import gettext

from catalog.signals import products_back_in_stock
from marketing.campaigns.back_in_stock import product_restocks_record
from marketing.campaigns.tracking import campaign_entries_stop_for_order, campaign_order_attribute
from marketing.follow_ups import follow_ups_close_for_order
from marketing.kinds import MessageKind
from marketing.models import FollowUp
from marketing.order_messages import (
    STATUS_MESSAGES,
    order_messages_enqueue,
    order_parcel_reminder_cancel,
    order_parcel_reminder_schedule,
)
from orders.models import Order
from orders.signals import order_placed, order_status_changed, payment_refunded


@receiver(order_placed, dispatch_uid="marketing.order_accepted")
def order_accepted_message(sender, *, order: Order, **kwargs) -> None:
    order_messages_enqueue(order=order, kind=MessageKind.ORDER_ACCEPTED)


@receiver(order_status_changed, dispatch_uid="marketing.order_status_message")
def order_status_message(sender, *, order: Order, from_status: str, to_status: str, **kwargs) -> None:
    kind = STATUS_MESSAGES.get(to_status)
    if kind is not None:
        order_messages_enqueue(order=order, kind=kind)
    if to_status == Order.Status.READY_FOR_PICKUP:
        order_parcel_reminder_schedule(order=order)


@receiver(payment_refunded, dispatch_uid="marketing.order_refunded")
def order_refunded_message(sender, *, order: Order, **kwargs) -> None:
    """Once per order: a second partial refund is in the order's history, not a second message."""
    order_messages_enqueue(order=order, kind=MessageKind.ORDER_REFUNDED)


@receiver(order_status_changed, dispatch_uid="marketing.parcel_waiting_ends")
def parcel_waiting_ends(sender, *, order: Order, from_status: str, to_status: str, **kwargs) -> None:
    """The parcel left the pickup point (collected or sent back) or the order ended: the
    reminder that has not gone out is cancelled and the manager's call is no longer needed."""
    if from_status != Order.Status.READY_FOR_PICKUP and to_status not in Order.RELEASES_STOCK:
        return
    if to_status == Order.Status.DELIVERED:
        reason = gettext("The customer collected the parcel.")
        order_parcel_reminder_cancel(order=order, reason=reason)
        follow_ups_close_for_order(order=order, status=FollowUp.Status.DONE, note=reason)
    else:
        reason = gettext("The order is “%(status)s”.") % {"status": Order.Status(to_status).label}
        order_parcel_reminder_cancel(order=order, reason=reason)
        follow_ups_close_for_order(order=order, status=FollowUp.Status.CANCELLED, note=reason)


@receiver(order_placed, dispatch_uid="marketing.campaign_order")
def campaign_order(sender, *, order: Order, **kwargs) -> None:
    """The order stops its cart's reminders and is credited to the campaign message that brought it."""
    campaign_entries_stop_for_order(order=order)
    campaign_order_attribute(order=order)


@receiver(products_back_in_stock, dispatch_uid="marketing.back_in_stock")
def product_back_in_stock(sender, *, product_ids: list[int], **kwargs) -> None:
    """A return of a product people wait for: the back-in-stock campaign's scan answers it."""
    product_restocks_record(product_ids=product_ids)
