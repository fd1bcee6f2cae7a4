"""Checking what the shopper typed at checkout: contact and delivery details."""

import datetime
import re
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.phones import phone_normalize
from customers.timezones import customer_timezone
from orders.models import DeliveryMethod, PickupPoint

_POSTCODE = re.compile(r"[0-9]{6}")


# How far ahead a courier delivery may be booked: beyond it no courier plans, and a date like
# 9999-12-31 would sit on the order for ever.
COURIER_DATE_DAYS_AHEAD = 60


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class Delivery:
    method: DeliveryMethod
    pickup_point: PickupPoint | None = None
    address: str = ""
    postcode: str = ""
    date: datetime.date | None = None
    time_window: str = ""

    @property
    def timezone(self) -> str:
        """The customer's zone at this address, "" when it cannot be told (customers.timezones)."""
        point = self.pickup_point
        place = f"{point.city} {point.address}" if point is not None else self.address
        return customer_timezone(postcode=self.postcode, place=place)


def contact_check(contact: Contact) -> Contact:
    """The contact as it will be stored: name trimmed, phone in E.164, e-mail lower-cased."""
    errors = {}
    name = " ".join((contact.name or "").split())
    if not name:
        errors["name"] = _("Please tell us your name.")
    elif len(name) > 150:
        errors["name"] = _("The name is too long.")
    email = (contact.email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    phone = ""
    try:
        phone = phone_normalize(contact.phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return Contact(name=name, phone=phone, email=email)


def delivery_check(delivery: Delivery) -> Delivery:
    """What each kind of delivery needs: a pickup point of that method, an address, a postcode."""
    method = delivery.method
    if not method.is_active:
        raise ValidationError({"delivery_method": _("This delivery method is not available.")})
    Kind = DeliveryMethod.Kind
    errors = {}
    address = " ".join((delivery.address or "").split())
    postcode = (delivery.postcode or "").strip()
    if method.kind == Kind.PICKUP:
        point = delivery.pickup_point
        if point is None:
            errors["pickup_point"] = _("Please choose a pickup point.")
        elif point.delivery_method_id != method.pk or not point.is_active:
            errors["pickup_point"] = _("This pickup point is not available for the chosen delivery.")
        return _or_raise(errors, replace(delivery, address="", postcode="", date=None, time_window=""))
    if not address:
        errors["address"] = _("Please enter the delivery address.")
    elif len(address) > 255:
        errors["address"] = _("The address is too long.")
    if method.kind == Kind.POST and not _POSTCODE.fullmatch(postcode):
        errors["postcode"] = _("Enter the six-digit postcode.")
    if method.kind == Kind.COURIER and delivery.date is not None:
        if delivery.date < timezone.localdate():
            errors["date"] = _("The delivery date cannot be in the past.")
        elif delivery.date > timezone.localdate() + datetime.timedelta(days=COURIER_DATE_DAYS_AHEAD):
            errors["date"] = _("Choose a delivery date within %(days)d days.") % {"days": COURIER_DATE_DAYS_AHEAD}
    if len(delivery.time_window or "") > 32:
        errors["time_window"] = _("The time window is too long.")
    return _or_raise(errors, replace(delivery, pickup_point=None, address=address, postcode=postcode))


def _or_raise(errors: dict, delivery: Delivery) -> Delivery:
    if errors:
        raise ValidationError(errors)
    return delivery
