from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders.models import Cart, CartLine
from orders.services import (
    cart_add,
    cart_contact_update,
    cart_get_or_create,
    cart_line_remove,
    cart_line_set_quantity,
    cart_merge,
)
from tests.factories import CartFactory, ProductFactory, ProductVariantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Quantity must be at least 1."),
        (-1, "Quantity must be at least 1."),
        ("-1", "Quantity must be at least 1."),
        (10**9, "Only 10 of “Чайник” left in stock."),
        ("1e3", "Quantity must be a whole number."),
        (1.5, "Quantity must be a whole number."),
        ("1.5", "Quantity must be a whole number."),
        ("", "Quantity must be a whole number."),
        (None, "Quantity must be a whole number."),
        (True, "Quantity must be a whole number."),
    ],
)
def test_bad_quantity_is_refused_with_a_clear_message_and_stock_unchanged(quantity, message):
    product = ProductFactory(name="Чайник", stock=10)
    cart = CartFactory()

    with pytest.raises(ValidationError) as refused:
        cart_add(cart=cart, product=product, variant=None, quantity=quantity)

    assert refused.value.message_dict == {"quantity": [message]}
    assert not CartLine.objects.exists()
    product.refresh_from_db()
    assert product.stock == 10


def test_quantity_typed_as_text_is_accepted():
    cart = CartFactory()

    line = cart_add(cart=cart, product=ProductFactory(stock=10), variant=None, quantity=" 3 ")

    assert line.quantity == 3


def test_adding_the_same_product_again_adds_to_its_line():
    product = ProductFactory(stock=10)
    cart = CartFactory()

    cart_add(cart=cart, product=product, variant=None, quantity=2)
    cart_add(cart=cart, product=product, variant=None, quantity=3)

    assert list(cart.lines.values_list("quantity", flat=True)) == [5]


def test_adding_more_than_is_left_counts_what_is_already_in_the_cart():
    product = ProductFactory(name="Чайник", stock=4)
    cart = CartFactory()
    cart_add(cart=cart, product=product, variant=None, quantity=3)

    with pytest.raises(ValidationError, match="Only 4 of “Чайник” left in stock."):
        cart_add(cart=cart, product=product, variant=None, quantity=2)

    assert cart.lines.get().quantity == 3


def test_sold_out_product_is_refused_as_out_of_stock():
    product = ProductFactory(name="Чайник", stock=0)

    with pytest.raises(ValidationError, match="“Чайник” is out of stock."):
        cart_add(cart=CartFactory(), product=product, variant=None, quantity=1)


def test_variant_stock_is_checked_not_the_product_stock():
    variant = ProductVariantFactory(product__stock=0, stock=2)
    cart = CartFactory()

    line = cart_add(cart=cart, product=variant.product, variant=variant, quantity=2)

    assert line.variant == variant
    with pytest.raises(ValidationError, match="Only 2 of"):
        cart_add(cart=cart, product=variant.product, variant=variant, quantity=1)


def test_product_with_variants_asks_for_a_variant():
    variant = ProductVariantFactory()

    with pytest.raises(ValidationError, match="Please choose a variant"):
        cart_add(cart=CartFactory(), product=variant.product, variant=None, quantity=1)


def test_variant_of_another_product_is_refused():
    variant = ProductVariantFactory()

    with pytest.raises(ValidationError, match="belongs to another product"):
        cart_add(cart=CartFactory(), product=ProductFactory(), variant=variant, quantity=1)


def test_inactive_product_cannot_be_added():
    with pytest.raises(ValidationError, match="is no longer sold"):
        cart_add(cart=CartFactory(), product=ProductFactory(is_active=False), variant=None, quantity=1)


def test_cart_shows_that_the_price_changed_since_the_item_was_added():
    product = ProductFactory(price="1000.00")
    line = cart_add(cart=CartFactory(), product=product, variant=None, quantity=1)
    product.price = Decimal("1200.00")
    product.save()

    line = CartLine.objects.select_related("product").get(pk=line.pk)

    assert line.price_changed
    assert line.price_when_added == Decimal("1000.00")
    assert line.unit_price == Decimal("1200.00")


def test_cart_remembers_when_it_last_changed():
    cart = CartFactory()
    before = cart.updated_at

    cart_add(cart=cart, product=ProductFactory(), variant=None, quantity=1)

    cart.refresh_from_db()
    assert cart.updated_at > before


def test_changing_quantity_is_checked_against_stock():
    line = cart_add(cart=CartFactory(), product=ProductFactory(stock=5), variant=None, quantity=1)

    cart_line_set_quantity(line=line, quantity="5")
    with pytest.raises(ValidationError, match="Only 5 of"):
        cart_line_set_quantity(line=line, quantity=6)

    line.refresh_from_db()
    assert line.quantity == 5


def test_removing_a_line_empties_the_cart():
    cart = CartFactory()
    line = cart_add(cart=cart, product=ProductFactory(), variant=None, quantity=1)

    cart_line_remove(line=line)

    assert not cart.lines.exists()


def test_guest_and_customer_each_get_one_cart():
    user = UserFactory()

    assert cart_get_or_create(user=user) == cart_get_or_create(user=user)
    assert cart_get_or_create(user=None, session_key="abc") == cart_get_or_create(user=None, session_key="abc")
    assert Cart.objects.count() == 2


def test_cart_remembers_the_contact_typed_at_checkout():
    cart = CartFactory()

    cart_contact_update(cart=cart, email="Anna@Example.com", phone="+79161234567")

    cart.refresh_from_db()
    assert (cart.email, cart.phone) == ("anna@example.com", "+79161234567")


def test_signed_in_customer_cart_knows_their_email():
    user = UserFactory(email="anna@example.com")

    assert cart_get_or_create(user=user).contact_email == "anna@example.com"


def test_guest_cart_merges_into_the_account_on_sign_in():
    kettle, mug, plate = ProductFactory(stock=10), ProductFactory(stock=10), ProductFactory(stock=10)
    user_cart = CartFactory(user=UserFactory(), session_key="")
    guest_cart = CartFactory(email="anna@example.com")
    cart_add(cart=user_cart, product=kettle, variant=None, quantity=1)
    cart_add(cart=user_cart, product=mug, variant=None, quantity=2)
    cart_add(cart=guest_cart, product=mug, variant=None, quantity=3)
    cart_add(cart=guest_cart, product=plate, variant=None, quantity=4)

    merged = cart_merge(guest_cart=guest_cart, user_cart=user_cart)

    assert dict(merged.lines.values_list("product_id", "quantity")) == {kettle.pk: 1, mug.pk: 5, plate.pk: 4}
    assert merged.email == "anna@example.com"
    assert not Cart.objects.filter(pk=guest_cart.pk).exists()


def test_merged_quantity_never_exceeds_the_stock_left():
    mug = ProductFactory(stock=4)
    user_cart = CartFactory(user=UserFactory(), session_key="")
    guest_cart = CartFactory()
    cart_add(cart=user_cart, product=mug, variant=None, quantity=3)
    cart_add(cart=guest_cart, product=mug, variant=None, quantity=3)

    cart_merge(guest_cart=guest_cart, user_cart=user_cart)

    assert user_cart.lines.get().quantity == 4


def test_merging_a_cart_into_itself_changes_nothing():
    cart = CartFactory()
    cart_add(cart=cart, product=ProductFactory(), variant=None, quantity=2)

    cart_merge(guest_cart=cart, user_cart=cart)

    assert cart.lines.get().quantity == 2
