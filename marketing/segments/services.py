"""Writes of segments: saving one (its conditions checked, its references free of cycles)
and deleting one nobody relies on."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import User
from marketing.segments.conditions import Context, conditions_clean, conditions_q
from marketing.segments.models import Segment
from marketing.segments.selectors import segment_references


@transaction.atomic
def segment_save(
    *, name: str, conditions, description: str = "", segment: Segment | None = None, author: User | None = None,
) -> Segment:
    """Create a segment, or change `segment`. The conditions are checked and normalised first
    (ValidationError naming each faulty condition), and a segment that would include itself
    through other segments is refused (SegmentCycleError); nothing is saved then."""
    cleaned = conditions_clean(conditions)
    # Two segments saved at once, each made to include the other, must not both pass the cycle
    # check: saves of existing segments take turns (a new segment is in nobody's conditions yet).
    locked = {row.pk: row for row in Segment.objects.select_for_update().order_by("pk")}
    segment = Segment(created_by=author) if segment is None else locked[segment.pk]
    segment.name = name
    segment.description = description
    segment.conditions = cleaned
    conditions_q(cleaned, context=Context(within=(segment.pk,) if segment.pk else ()))
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment) -> None:
    """Delete a segment unless another segment includes or excludes it: their audience would
    silently change. (Campaigns and broadcasts that use it hold it by a protected key.)"""
    users = [other.name for other in Segment.objects.exclude(pk=segment.pk) if segment.pk in segment_references(other)]
    if users:
        raise ValidationError(_("Segments %(names)s refer to this one; change them first.") % {
            "names": ", ".join(f"“{name}”" for name in users)})
    segment.delete()
