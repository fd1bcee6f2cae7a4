from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Product reviews from customers who received the product, published after moderation.

    An app of its own above orders (a verified buyer is a delivered order) and below marketing
    (whose review request links here). The catalog, below, shows the reviews through its product
    page sections (reviews/product_page.py) and reads the rating from two columns on the product
    that moderation keeps current, so it never imports this app."""

    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from reviews import receivers  # noqa: F401
