from django.db.models.signals import post_delete
from django.dispatch import receiver

from customers.models import User
from customers.signals import personal_data_exporting
from reviews.models import Review
from reviews.services import products_rating_refresh


@receiver(personal_data_exporting, dispatch_uid="reviews.export_reviews")
def export_reviews(sender, *, user: User, **kwargs) -> dict:
    """The customer's reviews for "export my data", published or not."""
    return {"reviews": [
        {"product": review.product.name, "rating": review.rating, "text": review.text,
         "author_name": review.author_name, "status": review.status, "created_at": review.created_at.isoformat()}
        for review in Review.objects.filter(user=user).select_related("product").order_by("created_at", "id")
    ]}


@receiver(post_delete, sender=Review, dispatch_uid="reviews.rating_after_delete")
def rating_after_delete(sender, *, instance: Review, **kwargs) -> None:
    """A published review deleted with its author's account no longer counts in the rating."""
    if instance.status == Review.Status.PUBLISHED:
        products_rating_refresh(product_ids=[instance.product_id])
