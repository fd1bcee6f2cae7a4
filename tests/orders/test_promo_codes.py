from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from orders.models import PromoCode
from orders.services import Contact
from tests.factories import ProductFactory, PromoCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _promo_error(place, cart, code, **kwargs):
    with pytest.raises(ValidationError) as refused:
        place(cart, promo_code=code, **kwargs)
    return refused.value.message_dict["promo_code"]


def test_percent_code_takes_its_share_off_the_goods(place, cart_with):
    PromoCodeFactory(code="AUTUMN", kind="percent", value=Decimal("15"))

    order = place(cart_with((ProductFactory(price="1999.00"), 1)), promo_code="AUTUMN")

    assert order.discount_total == Decimal("299.85")
    assert order.total_to_pay == Decimal("1999.00") - Decimal("299.85") + Decimal("300.00")
    assert order.promo_code.code == "AUTUMN"


def test_fixed_code_never_takes_more_than_the_goods_cost(place, cart_with):
    PromoCodeFactory(code="GIFT", kind="fixed", value=Decimal("5000"))

    order = place(cart_with((ProductFactory(price="990.00"), 1)), promo_code="GIFT")

    assert order.discount_total == Decimal("990.00")
    assert order.total_to_pay == Decimal("300.00")


def test_code_is_found_whatever_the_letter_case(place, cart_with, product):
    PromoCodeFactory(code="Autumn")

    order = place(cart_with((product, 1)), promo_code="  aUTUMN ")

    assert order.discount_total > 0


def test_two_codes_differing_only_in_case_cannot_exist():
    PromoCodeFactory(code="AUTUMN")

    with pytest.raises(IntegrityError):
        PromoCodeFactory(code="autumn")


def test_unknown_or_inactive_code_is_refused(place, cart_with, product):
    PromoCodeFactory(code="OLD", is_active=False)

    assert _promo_error(place, cart_with((product, 1)), "NOPE") == ["There is no such promo code."]
    assert _promo_error(place, cart_with((product, 1)), "OLD") == ["There is no such promo code."]


def test_code_below_its_minimum_total_is_refused(place, cart_with):
    PromoCodeFactory(code="BIG", min_total=Decimal("5000"))

    assert _promo_error(place, cart_with((ProductFactory(price="4999.00"), 1)), "BIG") == [
        "This promo code is for orders of goods from 5,000\u00a0₽."
    ]
    assert place(cart_with((ProductFactory(price="5000.00"), 1)), promo_code="BIG").discount_total > 0


def test_code_before_its_start_is_refused(place, cart_with, product):
    PromoCodeFactory(code="SOON", valid_from=timezone.now() + timedelta(days=1))

    assert _promo_error(place, cart_with((product, 1)), "SOON")[0].startswith("This promo code is valid from")


def test_expired_code_is_refused(place, cart_with, product):
    PromoCodeFactory(code="GONE", valid_until=timezone.now() - timedelta(minutes=1))

    assert _promo_error(place, cart_with((product, 1)), "GONE") == ["This promo code has expired."]


def test_code_used_up_in_total_is_refused(place, cart_with, product):
    promo = PromoCodeFactory(code="TWICE", usage_limit=2)

    place(cart_with((product, 1)), promo_code="TWICE", contact=Contact(name="А", phone="+79160000001"))
    place(cart_with((product, 1)), promo_code="TWICE", contact=Contact(name="Б", phone="+79160000002"))

    assert _promo_error(place, cart_with((product, 1)), "TWICE") == ["This promo code has already been used up."]
    assert PromoCode.objects.get(pk=promo.pk).used_count == 2


def test_code_used_by_this_customer_is_refused_by_account(place, cart_with, product):
    PromoCodeFactory(code="ONCEEACH", usage_limit_per_customer=1)
    user = UserFactory()
    place(cart_with((product, 1), user=user, session_key=""), promo_code="ONCEEACH",
          contact=Contact(name="А", phone="+79160000001"))

    refused = _promo_error(place, cart_with((product, 1), cart=user.carts.get()), "ONCEEACH",
                           contact=Contact(name="А", phone="+79160000002"))

    assert refused == ["You have already used this promo code."]


def test_code_used_by_this_guest_is_refused_by_phone(place, cart_with, product):
    PromoCodeFactory(code="ONCEEACH", usage_limit_per_customer=1)
    place(cart_with((product, 1)), promo_code="ONCEEACH", contact=Contact(name="А", phone="8 916 000-00-01"))

    refused = _promo_error(place, cart_with((product, 1)), "ONCEEACH",
                           contact=Contact(name="А", phone="+7 916 000 00 01"))

    assert refused == ["You have already used this promo code."]


def test_another_customer_can_still_use_a_once_per_customer_code(place, cart_with, product):
    PromoCodeFactory(code="ONCEEACH", usage_limit_per_customer=1)
    place(cart_with((product, 1)), promo_code="ONCEEACH", contact=Contact(name="А", phone="+79160000001"))

    order = place(cart_with((product, 1)), promo_code="ONCEEACH", contact=Contact(name="Б", phone="+79160000002"))

    assert order.discount_total > 0
