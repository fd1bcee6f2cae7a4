"""Demo delivery methods, pickup points and promo codes. Safe to run again: rows are found by name."""

from decimal import Decimal

from django.db import transaction

from orders.models import DeliveryMethod, PickupPoint, PromoCode

METHODS = [
    {"name": "Курьер по Москве", "kind": DeliveryMethod.Kind.COURIER, "price": Decimal("390"),
     "free_from": Decimal("3000"), "days_min": 1, "days_max": 2, "position": 10,
     "description": "Доставка до двери в удобный интервал."},
    {"name": "Пункты выдачи", "kind": DeliveryMethod.Kind.PICKUP, "price": Decimal("199"),
     "free_from": None, "days_min": 2, "days_max": 4, "position": 20,
     "description": "Заберите заказ в пункте выдачи рядом с домом."},
    {"name": "Почта России", "kind": DeliveryMethod.Kind.POST, "price": Decimal("350"),
     "free_from": None, "days_min": 3, "days_max": 10, "position": 30,
     "description": "В любой населённый пункт России."},
]

PICKUP_POINTS = [
    ("Пункт выдачи «Тверская»", "Москва", "ул. Тверская, 12", "Ежедневно 10:00–21:00"),
    ("Пункт выдачи «Курская»", "Москва", "ул. Земляной Вал, 33", "Пн–Сб 09:00–20:00"),
    ("Постамат «Профсоюзная»", "Москва", "ул. Профсоюзная, 61", "Круглосуточно"),
    ("Пункт выдачи «Невский»", "Санкт-Петербург", "Невский пр., 88", "Ежедневно 10:00–22:00"),
    ("Пункт выдачи «Петроградская»", "Санкт-Петербург", "Большой пр. П.С., 45", "Пн–Вс 10:00–20:00"),
]

# Named in the README, so a new user can try a discount at checkout.
PROMO_CODES = [
    {"code": "WELCOME10", "kind": PromoCode.Kind.PERCENT, "value": Decimal("10"), "min_total": Decimal("0"),
     "usage_limit_per_customer": 1},
    {"code": "MINUS300", "kind": PromoCode.Kind.FIXED, "value": Decimal("300"), "min_total": Decimal("2000")},
]


@transaction.atomic
def demo_delivery_create() -> int:
    """Courier in Moscow, a pickup point network in Moscow and St Petersburg, Russian Post.
    Returns how many rows were added."""
    added = 0
    methods = {}
    for spec in METHODS:
        method, created = DeliveryMethod.objects.get_or_create(name=spec["name"], defaults=spec)
        methods[method.kind] = method
        added += created
    for position, (name, city, address, hours) in enumerate(PICKUP_POINTS):
        _point, created = PickupPoint.objects.get_or_create(
            name=name, delivery_method=methods[DeliveryMethod.Kind.PICKUP],
            defaults={"city": city, "address": address, "opening_hours": hours, "position": position},
        )
        added += created
    return added


def demo_promo_codes_create() -> int:
    """WELCOME10 (10 % off, once per customer) and MINUS300 (300 ₽ off goods from 2 000 ₽).
    Returns how many were added."""
    return sum(
        PromoCode.objects.get_or_create(code=spec["code"], defaults=spec)[1] for spec in PROMO_CODES
    )
