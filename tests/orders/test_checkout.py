import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.models import Visit
from orders.models import CartLine, Order, OrderLine, OrderStatusChange, PromoCode, PromoCodeUse
from orders.services import Contact, Delivery, OutOfStock, cart_add, checkout
from orders.signals import order_placed
from tests.factories import (
    CartFactory,
    DeliveryMethodFactory,
    PickupPointFactory,
    ProductFactory,
    ProductVariantFactory,
    PromoCodeFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def test_placing_an_order_writes_the_order_with_price_snapshots(place, cart_with):
    kettle = ProductFactory(name="Чайник", sku="KT-1", price="1500.00", stock=5)
    mug = ProductFactory(name="Кружка", sku="MG-1", price="250.50", stock=10)
    cart = cart_with((kettle, 1), (mug, 2))

    order = place(cart)

    assert order.number == f"VT-{10000 + order.pk}"
    assert order.status == Order.Status.NEW
    lines = list(order.lines.values_list("product_name", "sku", "unit_price", "quantity", "line_total"))
    assert lines == [
        ("Чайник", "KT-1", Decimal("1500.00"), 1, Decimal("1500.00")),
        ("Кружка", "MG-1", Decimal("250.50"), 2, Decimal("501.00")),
    ]
    assert (order.items_total, order.delivery_price, order.total_to_pay) == (
        Decimal("2001.00"), Decimal("300.00"), Decimal("2301.00"),
    )


def test_placing_an_order_reserves_stock_and_counts_sales(place, cart_with):
    kettle = ProductFactory(stock=5, sales_count=7)
    cart = cart_with((kettle, 2))

    place(cart)

    kettle.refresh_from_db()
    assert (kettle.stock, kettle.sales_count) == (3, 9)


def test_placing_an_order_reserves_variant_stock(place):
    variant = ProductVariantFactory(stock=3, product__stock=0)
    cart = CartFactory()
    cart_add(cart=cart, product=variant.product, variant=variant, quantity=2)

    order = place(cart)

    variant.refresh_from_db()
    assert variant.stock == 1
    assert order.lines.get().variant_name == variant.name
    assert order.lines.get().sku == variant.sku


def test_placed_order_empties_the_cart_but_keeps_it(place, cart_with, product):
    cart = cart_with((product, 1))

    place(cart)

    assert not CartLine.objects.filter(cart=cart).exists()
    cart.refresh_from_db()
    assert cart.email == "anna@example.com"


def test_contact_is_stored_normalised(place, cart_with, product):
    order = place(cart_with((product, 1)), contact=Contact(name="  Анна   Смирнова ", phone="8 916 123-45-67",
                                                           email=" Anna@Example.COM "))

    assert (order.name, order.phone, order.email) == ("Анна Смирнова", "+79161234567", "anna@example.com")


@pytest.mark.parametrize("phone", ["", "123", "+7 916 123", "not a phone"])
def test_invalid_phone_is_refused(place, cart_with, product, phone):
    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), contact=Contact(name="Анна", phone=phone))

    assert "phone" in refused.value.message_dict
    assert not Order.objects.exists()


def test_the_order_history_starts_with_new(place, cart_with, product):
    order = place(cart_with((product, 1)))

    assert list(order.history.values_list("from_status", "to_status")) == [("", "new")]


def test_order_records_the_channel_and_utm_of_the_visit(place, cart_with, product):
    visit = VisitFactory(channel="paid_search", utm_source="yandex", utm_medium="cpc", utm_campaign="autumn")

    order = place(cart_with((product, 1)), visit=visit)

    assert (order.channel, order.utm_source, order.utm_medium, order.utm_campaign) == (
        "paid_search", "yandex", "cpc", "autumn",
    )


@pytest.mark.parametrize("channel", Visit.Channel.values)
def test_an_order_placed_on_a_visit_keeps_the_visits_channel(place, cart_with, product, channel):
    order = place(cart_with((product, 1)), visit=VisitFactory(channel=channel))

    order.full_clean()  # the channel is one an order may have
    assert order.channel == channel


def test_signed_in_customer_owns_the_order(place, cart_with, product):
    user = UserFactory()

    order = place(cart_with((product, 1), user=user, session_key=""))

    assert order.user == user


def test_order_placed_signal_is_sent_inside_the_transaction(place, cart_with, product):
    seen = []

    def receiver(sender, order, **kwargs):
        seen.append((order.number, Order.objects.filter(pk=order.pk).exists()))

    order_placed.connect(receiver)
    try:
        order = place(cart_with((product, 1)))
    finally:
        order_placed.disconnect(receiver)

    assert seen == [(order.number, True)]


def test_empty_cart_cannot_be_ordered(place):
    with pytest.raises(ValidationError, match="Your cart is empty."):
        place(CartFactory())


def test_product_withdrawn_after_it_was_added_is_refused(place, cart_with, product):
    cart = cart_with((product, 1))
    product.is_active = False
    product.save()

    with pytest.raises(ValidationError, match="no longer sold"):
        place(cart)

    assert not Order.objects.exists()


# --- Delivery and payment --------------------------------------------------------------


def test_courier_delivery_needs_an_address(place, cart_with, product, courier):
    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), delivery=Delivery(method=courier))

    assert refused.value.message_dict == {"address": ["Please enter the delivery address."]}


def test_courier_delivery_keeps_the_preferred_date_and_time(place, cart_with, product, courier):
    import datetime

    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    delivery = Delivery(method=courier, address="Москва, ул. Тверская, 1", date=tomorrow, time_window="10–14")

    order = place(cart_with((product, 1)), delivery=delivery)

    assert (order.address, order.delivery_date, order.delivery_time_window) == (
        "Москва, ул. Тверская, 1", tomorrow, "10–14",
    )


def test_pickup_delivery_keeps_the_chosen_point(place, cart_with, product):
    point = PickupPointFactory()

    order = place(cart_with((product, 1)), delivery=Delivery(method=point.delivery_method, pickup_point=point))

    assert order.pickup_point == point
    assert order.delivery_price == Decimal("150.00")


def test_pickup_point_of_another_method_is_refused(place, cart_with, product):
    point = PickupPointFactory()
    other = DeliveryMethodFactory(kind="pickup")

    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), delivery=Delivery(method=other, pickup_point=point))

    assert "pickup_point" in refused.value.message_dict


def test_post_delivery_needs_a_six_digit_postcode(place, cart_with, product):
    post = DeliveryMethodFactory(kind="post")

    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), delivery=Delivery(method=post, address="Тверь, ул. Ленина, 1", postcode="1700"))
    order = place(cart_with((product, 1)), delivery=Delivery(method=post, address="Тверь, ул. Ленина, 1",
                                                               postcode="170000"))

    assert refused.value.message_dict == {"postcode": ["Enter the six-digit postcode."]}
    assert order.postcode == "170000"


def test_inactive_delivery_method_is_refused(place, cart_with, product):
    with pytest.raises(ValidationError, match="not available"):
        place(cart_with((product, 1)), delivery=Delivery(method=DeliveryMethodFactory(is_active=False), address="x"))


def test_delivery_is_free_above_the_threshold(place, cart_with, courier):
    courier.free_from = Decimal("3000.00")
    courier.save()

    cheap = place(cart_with((ProductFactory(price="2999.00"), 1)))
    dear = place(cart_with((ProductFactory(price="3000.00"), 1)))

    assert (cheap.delivery_price, dear.delivery_price) == (Decimal("300.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("payment", "status"),
    [
        ("cash_on_delivery", "unpaid"),
        ("card_on_delivery", "unpaid"),
        ("online_card", "pending"),
    ],
)
def test_each_payment_method_starts_with_its_payment_status(place, cart_with, product, payment, status):
    order = place(cart_with((product, 1)), payment=payment)

    assert (order.payment_method, order.payment_status) == (payment, status)


def test_unknown_payment_method_is_refused(place, cart_with, product):
    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), payment="bitcoin")

    assert "payment" in refused.value.message_dict


# --- Duplicate submissions -------------------------------------------------------------


def test_submitting_the_same_checkout_twice_makes_one_order(place, cart_with, product):
    cart = cart_with((product, 1))
    key = uuid.uuid4().hex

    first = place(cart, idempotency_key=key)
    second = place(cart, idempotency_key=key)

    assert first == second
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 9


def test_checkout_token_of_another_cart_is_refused(place, cart_with, product):
    key = uuid.uuid4().hex
    place(cart_with((product, 1)), idempotency_key=key)

    with pytest.raises(ValidationError, match="already been used"):
        place(cart_with((product, 1)), idempotency_key=key)


def test_checkout_without_a_token_is_refused(place, cart_with, product):
    with pytest.raises(ValidationError, match="expired"):
        place(cart_with((product, 1)), idempotency_key="")


# --- All or nothing --------------------------------------------------------------------


def _nothing_written(*products, promo=None, user=None):
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert not OrderStatusChange.objects.exists()
    assert not PromoCodeUse.objects.exists()
    for product in products:
        before = (product.stock, product.sales_count)
        product.refresh_from_db()
        assert (product.stock, product.sales_count) == before
    if promo is not None:
        assert PromoCode.objects.get(pk=promo.pk).used_count == 0
    if user is not None:
        from customers.services import points_balance

        assert points_balance(user=user) == 1000


def test_out_of_stock_on_the_second_line_leaves_no_trace(place, cart_with):
    kettle = ProductFactory(name="Чайник", stock=5)
    mug = ProductFactory(name="Кружка", stock=5)
    user = UserFactory()
    from customers.services import points_earn

    points_earn(user=user, points=1000)
    promo = PromoCodeFactory(code="AUTUMN", usage_limit=10)
    cart = cart_with((kettle, 2), (mug, 3), user=user, session_key="")
    mug.stock = 1
    mug.save()

    with pytest.raises(OutOfStock) as refused:
        place(cart, promo_code="autumn", points=100)

    assert refused.value.messages == ["Only 1 of “Кружка” left in stock."]
    _nothing_written(kettle, mug, promo=promo, user=user)
    assert cart.lines.count() == 2


def test_promo_code_used_up_midway_leaves_no_trace(place, cart_with, monkeypatch):
    kettle = ProductFactory(stock=5)
    promo = PromoCodeFactory(code="ONCE", usage_limit=1)
    cart = cart_with((kettle, 2))
    quote = checkout.cart_quote

    def another_checkout_uses_the_code_after_this_one_checked_it(**kwargs):
        checked = quote(**kwargs)
        PromoCode.objects.filter(pk=promo.pk).update(used_count=1)
        return checked

    monkeypatch.setattr(checkout, "cart_quote", another_checkout_uses_the_code_after_this_one_checked_it)

    with pytest.raises(ValidationError, match="already been used up"):
        place(cart, promo_code="ONCE")

    assert not Order.objects.exists()
    kettle.refresh_from_db()
    assert kettle.stock == 5
    assert cart.lines.count() == 1


def test_points_above_the_balance_leave_no_trace(place, cart_with):
    from customers.services import InsufficientPoints, points_earn

    kettle = ProductFactory(price="1000.00", stock=5)
    user = UserFactory()
    points_earn(user=user, points=50)
    promo = PromoCodeFactory(code="AUTUMN", usage_limit=10)
    cart = cart_with((kettle, 1), user=user, session_key="")

    with pytest.raises(InsufficientPoints):
        place(cart, promo_code="AUTUMN", points=200)

    assert not Order.objects.exists()
    assert PromoCode.objects.get(pk=promo.pk).used_count == 0
    kettle.refresh_from_db()
    assert (kettle.stock, kettle.sales_count) == (5, 0)


def test_order_and_customer_keep_the_time_zone_of_the_delivery_address(place, cart_with, product, courier):
    customer = UserFactory()
    cart = cart_with((product, 1), user=customer)

    order = place(cart, delivery=Delivery(method=courier, address="Новосибирск, Красный проспект, 1"))

    customer.refresh_from_db()
    assert (order.timezone, customer.timezone) == ("Asia/Novosibirsk", "Asia/Novosibirsk")


def test_pickup_order_takes_the_time_zone_of_the_pickup_points_city(place, cart_with, product):
    point = PickupPointFactory(city="Владивосток", address="ул. Светланская, 1")

    order = place(cart_with((product, 1)), delivery=Delivery(method=point.delivery_method, pickup_point=point))

    assert order.timezone == "Asia/Vladivostok"


def test_order_to_an_unplaceable_address_keeps_the_customers_known_time_zone(place, cart_with, product, courier):
    customer = UserFactory(timezone="Asia/Omsk")

    order = place(cart_with((product, 1), user=customer), delivery=Delivery(method=courier, address="СНТ Ромашка, 5"))

    customer.refresh_from_db()
    assert (order.timezone, customer.timezone) == ("Asia/Omsk", "Asia/Omsk")
