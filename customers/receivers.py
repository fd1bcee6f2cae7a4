from django.dispatch import receiver

from catalog.signals import product_viewed


@receiver(product_viewed)
def remember_product_view(sender, request, product_id: int, **kwargs) -> None:
    """The activity middleware writes it with the rest of the request's activity."""
    activity = getattr(request, "site_activity", None)
    if activity is not None:
        activity.viewed_product_ids.append(product_id)
