"""Thin Celery entry points of the catalog app: one service call, safe to run twice."""

from celery import shared_task

from catalog.models import Brand, ProductImage
from catalog.services import (
    brand_products_refresh_search_text,
    product_image_make_thumbnails,
    product_images_make_missing_thumbnails,
    storefront_popularity_refresh,
)


@shared_task(acks_late=True)
def storefront_popularity_refresh_task() -> None:
    storefront_popularity_refresh()


@shared_task(acks_late=True, max_retries=3, retry_backoff=30)
def product_image_make_thumbnails_task(image_id: int) -> bool:
    image = ProductImage.objects.filter(pk=image_id).first()
    return image is not None and product_image_make_thumbnails(image=image)


@shared_task(acks_late=True)
def product_images_make_missing_thumbnails_task() -> int:
    return product_images_make_missing_thumbnails()


@shared_task(acks_late=True, max_retries=3, retry_backoff=30)
def brand_products_refresh_search_text_task(brand_id: int) -> int:
    brand = Brand.objects.filter(pk=brand_id).first()
    return 0 if brand is None else brand_products_refresh_search_text(brand=brand)
