from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from catalog.cache import is_cacheable
from catalog.signals import product_page_requested, product_viewed
from customers import view_buffer


@receiver(product_page_requested)
def queue_product_view(sender, request, slug: str, **kwargs) -> None:
    """A view on a running visit is buffered anyway: queued now, it goes to Redis with the page
    cache's read and the activity middleware has nothing left to send."""
    activity = getattr(request, "site_activity", None)
    if activity is None or activity.visit_id is None or not settings.PRODUCT_VIEWS_BUFFERED:
        return
    if not is_cacheable(request):
        return  # no page-cache read to ride with: the middleware pushes the view by id
    view_buffer.queue_with_page_read(request, visit_id=activity.visit_id, product_slug=slug, viewed_at=timezone.now())
    activity.view_queued = True


@receiver(product_viewed)
def remember_product_view(sender, request, product_id: int, **kwargs) -> None:
    """The activity middleware writes it with the rest of the request's activity."""
    activity = getattr(request, "site_activity", None)
    if activity is not None:
        activity.viewed_product_ids.append(product_id)
