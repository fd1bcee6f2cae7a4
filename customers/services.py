from collections.abc import Mapping, Sequence
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from customers.activity import classify_channel, device_from_user_agent
from customers.models import ProductView, User, Visit


def _clip(value: str, model_field: str, model=Visit) -> str:
    return value[: model._meta.get_field(model_field).max_length]


@transaction.atomic
def visit_start(
    *,
    visitor_id: UUID,
    user: User | None,
    landing_page: str,
    referrer: str,
    user_agent: str,
    query: Mapping[str, str],
    own_host: str,
    viewed_product_ids: Sequence[int] = (),
) -> Visit:
    """Record the start of a visit with its channel, and the products seen on its first page.
    Both rows commit together: one write for the request."""
    utm = {key: query.get(key, "").strip() for key in ("utm_source", "utm_medium", "utm_campaign")}
    visit = Visit.objects.create(
        visitor_id=visitor_id,
        user=user,
        started_at=timezone.now(),
        landing_page=_clip(landing_page, "landing_page"),
        referrer=_clip(referrer, "referrer"),
        channel=classify_channel(
            utm_source=utm["utm_source"], utm_medium=utm["utm_medium"], referrer=referrer,
            landing_url=landing_page, own_host=own_host,
        ),
        device=device_from_user_agent(user_agent),
        **{key: _clip(value, key) for key, value in utm.items()},
    )
    product_views_record(visit_id=visit.pk, user=user, product_ids=viewed_product_ids)
    return visit


def product_views_record(*, visit_id: int | None, user: User | None, product_ids: Sequence[int]) -> None:
    now = timezone.now()
    ProductView.objects.bulk_create(
        ProductView(visit_id=visit_id, user=user, product_id=product_id, viewed_at=now)
        for product_id in product_ids
    )
