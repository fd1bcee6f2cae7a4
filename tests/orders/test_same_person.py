"""One rule decides "the same person" everywhere (customers.identity.same_person): the same
account, the same e-mail address in any case, or the same phone number in any format."""

import pytest
from django.core.exceptions import ValidationError

from orders.backoffice.card import customer_card
from orders.services import Contact
from tests.factories import OrderFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_a_guest_using_a_once_per_customer_code_again_from_another_phone_with_the_same_email_is_refused(
    place, cart_with, product
):
    PromoCodeFactory(code="ONCEEACH", usage_limit_per_customer=1)
    place(cart_with((product, 1)), promo_code="ONCEEACH",
          contact=Contact(name="А", phone="+79160000001", email="anna@example.com"))

    with pytest.raises(ValidationError) as refused:
        place(cart_with((product, 1)), promo_code="ONCEEACH",
              contact=Contact(name="А", phone="+79160000002", email="Anna@Example.com"))

    assert refused.value.message_dict["promo_code"] == ["You have already used this promo code."]


def test_the_managers_card_counts_an_earlier_order_with_the_same_email_from_another_phone():
    OrderFactory(phone="+79160000001", email="anna@example.com")
    order = OrderFactory(phone="+79160000002", email="anna@example.com")

    assert customer_card(order)["previous_count"] == 1

