from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


def _everyone() -> dict:
    return {"match": "all", "conditions": []}


class Segment(TimeStampedModel):
    """A saved group of customers, described by conditions rather than a list: its members are
    whoever fits them at the moment it is used (marketing.segments.selectors).

    `conditions` is a tree of groups, {"match": "all" | "any", "conditions": [...]}, whose items
    are conditions ({"field": "city", "values": ["Москва"]}) or nested groups; its shape is
    checked by marketing.segments.conditions.conditions_clean before it is saved."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    conditions = models.JSONField(_("conditions"), default=_everyone)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"), editable=False,
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name
