"""Demo reviews for `seed_demo`: customers who received their demo orders rate some of what they
bought, most reviews published (so the product pages show stars), a few waiting for a moderator."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery

from orders.models import Order, OrderLine, OrderStatusChange
from reviews.models import Review
from reviews.services import products_rating_refresh

# (stars, what a customer says), about as often as shops see them: mostly content, some not.
TEXTS = [
    (5, "Всё отлично: пришло быстро, упаковано аккуратно, качество как на фото. Рекомендую."),
    (5, "Беру уже не первый раз — ни разу не подвело. Спасибо магазину!"),
    (5, "Очень довольна покупкой, подарила маме — она в восторге."),
    (4, "Хорошая вещь за свои деньги. Минус звезда за то, что курьер опоздал на час."),
    (4, "В целом нравится, но инструкция могла бы быть понятнее."),
    (4, "Качество хорошее, размер соответствует. Цвет чуть темнее, чем на сайте."),
    (3, "Нормально, но ожидала большего. Для своих задач сойдёт."),
    (2, "Через неделю появилась царапина. Пользуюсь, но повторно не возьму."),
    (1, "Не подошло совсем: запах резкий, вернуть не получилось — упаковка вскрыта."),
]
WEIGHTS = [22, 20, 13, 12, 10, 9, 7, 4, 3]
REVIEW_SHARE = 0.45  # of the delivered lines of customers with an account
PENDING_SHARE = 0.12


@transaction.atomic
def demo_reviews_create(*, seed: int) -> int:
    """Reviews of delivered demo orders by their customers; returns how many were added. Safe to
    run again: a customer and product already reviewed are skipped."""
    rng = random.Random(f"reviews:{seed}")
    delivered_at = OrderStatusChange.objects.filter(order=OuterRef("order_id"), to_status=Order.Status.DELIVERED) \
        .order_by("-created_at").values("created_at")[:1]
    lines = (
        OrderLine.objects.filter(order__status=Order.Status.DELIVERED, order__user__isnull=False)
        .annotate(delivered_at=Subquery(delivered_at))
        .order_by("order_id", "id")
        .values_list("order_id", "order__user_id", "order__user__first_name", "order__user__last_name",
                     "product_id", "delivered_at", "order__created_at")
    )
    reviews, seen = [], set(Review.objects.values_list("user_id", "product_id"))
    for order_id, user_id, first, last, product_id, delivered, placed in lines:
        if (user_id, product_id) in seen or rng.random() > REVIEW_SHARE:
            continue
        seen.add((user_id, product_id))
        rating, text = rng.choices(TEXTS, weights=WEIGHTS)[0]
        written = (delivered or placed) + timedelta(hours=rng.randrange(6, 24 * 6))
        pending = rng.random() < PENDING_SHARE
        reviews.append(Review(
            product_id=product_id, user_id=user_id, order_id=order_id, rating=rating, text=text,
            author_name=f"{first} {last[:1]}.".strip() if first and last else (first or "Покупатель"),
            status=Review.Status.PENDING if pending else Review.Status.PUBLISHED,
            moderated_at=None if pending else written + timedelta(hours=rng.randrange(1, 30)),
        ))
        reviews[-1].written = written
    created = Review.objects.bulk_create(reviews, batch_size=500)  # the ones already there were skipped above
    # auto_now_add stamped them now; each review is dated a few days after its delivery.
    for review in created:
        Review.objects.filter(pk=review.pk).update(created_at=review.written)
    products_rating_refresh(product_ids={review.product_id for review in created})
    return len(created)
