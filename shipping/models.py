"""Parcels the shop follows at their carrier, and what the carrier said about them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models import DeliveryMethod, Order


class Stage(models.IntegerChoices):
    """How far a parcel has got. It only goes forward: news of an earlier stage, arriving late
    or again, changes nothing. Delivered and sent back are the ends."""

    IN_TRANSIT = 0, _("On its way")
    ARRIVED = 1, _("At the pickup point")
    DELIVERED = 2, _("Delivered")
    RETURNED = 3, _("Sent back")


FINAL_STAGES = frozenset({Stage.DELIVERED, Stage.RETURNED})


class Parcel(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="parcel", verbose_name=_("order"))
    carrier = models.CharField(_("carrier"), max_length=16, choices=DeliveryMethod.Carrier.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=64)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.IN_TRANSIT)
    # When to ask the carrier next; empty once the parcel has reached an end.
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # Checks in a row the carrier did not answer: each one waits longer (settings.PARCEL_CHECK_MINUTES at most).
    failures = models.PositiveIntegerField(_("failed checks in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        indexes = [
            models.Index(fields=("next_check_at",), condition=Q(next_check_at__isnull=False), name="parcel_due"),
            models.Index(fields=("carrier", "tracking_number"), name="parcel_tracking_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.tracking_number}"


class TrackingEvent(models.Model):
    """One operation the carrier reported; its key is unique per parcel, so an event reported
    again (by a poll and a webhook, or twice) is stored once."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events", verbose_name=_("parcel"))
    key = models.CharField(max_length=120)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    happened_at = models.DateTimeField(_("when"))
    description = models.CharField(_("what happened"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ("happened_at", "id")
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [models.UniqueConstraint(fields=("parcel", "key"), name="tracking_event_unique_key")]

    def __str__(self) -> str:
        return f"{self.parcel} · {self.happened_at:%Y-%m-%d %H:%M} · {self.description}"
