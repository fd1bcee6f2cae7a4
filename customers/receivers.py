from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from catalog.signals import product_viewed
from customers.services import customer_language_remember


@receiver(product_viewed)
def remember_product_view(sender, request, product_id: int, **kwargs) -> None:
    """The activity middleware writes it with the rest of the request's activity."""
    activity = getattr(request, "site_activity", None)
    if activity is not None:
        activity.viewed_product_ids.append(product_id)


@receiver(user_logged_in, dispatch_uid="customers.remember_language")
def remember_language(sender, request, user, **kwargs) -> None:
    """The language of the pages the customer signs in from (also right after signing up)."""
    if request is not None and hasattr(user, "language"):
        customer_language_remember(user=user, language=getattr(request, "LANGUAGE_CODE", ""))
