from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from orders.models import Cart, CartLine
from tests.factories import ProductFactory, ProductVariantFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PASSWORD = "correct horse battery staple"


def _add(client, product, quantity="1", variant=None, **extra):
    data = {"product": product.pk, "quantity": quantity}
    if variant is not None:
        data["variant"] = variant.pk
    return client.post(reverse("orders:cart_add"), data, **extra)


def _line(client) -> CartLine:
    return CartLine.objects.get(cart__session_key=client.session.session_key)


def test_product_page_has_a_working_add_to_cart_form(client):
    product = ProductFactory(slug="kettle")

    page = client.get(product.get_absolute_url()).content.decode()

    assert f'action="{reverse("orders:cart_add")}"' in page
    assert f'name="product" value="{product.pk}"' in page
    assert "Online ordering opens soon" not in page


def test_the_add_to_cart_form_works_without_a_csrf_token_from_the_shops_own_page():
    # The product page is shared by every shopper, so its form carries no token (core/csrf.py).
    shopper = Client(enforce_csrf_checks=True, headers={"sec-fetch-site": "same-origin"})

    response = _add(shopper, ProductFactory(stock=5))

    assert response.status_code == 302
    assert _line(shopper).quantity == 1


def test_an_add_to_cart_another_site_asks_for_is_refused():
    shopper = Client(enforce_csrf_checks=True, headers={"sec-fetch-site": "cross-site"})

    response = _add(shopper, ProductFactory(stock=5))

    assert response.status_code == 403
    assert not CartLine.objects.exists()


def test_guest_adds_to_cart_and_sees_it_on_the_cart_page(client):
    product = ProductFactory(name="Чайник", price=Decimal("1290.00"), stock=5)

    response = _add(client, product, quantity="2")

    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    cart = Cart.objects.get(session_key=client.session.session_key)
    assert cart.user is None
    assert _line(client).quantity == 2
    page = client.get(reverse("orders:cart")).content.decode()
    assert "Чайник" in page
    assert "2,580" in page


def test_first_add_sets_the_cart_cookie_so_cached_pages_are_bypassed(client):
    response = _add(client, ProductFactory(stock=5))

    assert response.cookies["cart"].value == "1"
    assert response.cookies["cart"]["httponly"]


def test_mini_cart_in_the_header_shows_count_and_total(client):
    _add(client, ProductFactory(price=Decimal("500.00"), stock=5), quantity="3")

    page = client.get(reverse("catalog:home")).content.decode()

    assert 'id="mini-cart"' in page
    assert '<span class="mini-cart-count">3</span>' in page
    assert "1,500" in page


def test_product_page_from_the_page_cache_shows_a_fresh_mini_cart_once_there_is_a_cart(client):
    product = ProductFactory(stock=5)
    client.get(product.get_absolute_url())  # cached for anonymous visitors

    _add(client, product)
    page = client.get(product.get_absolute_url()).content.decode()

    assert '<span class="mini-cart-count">1</span>' in page


def test_add_to_cart_with_htmx_answers_with_a_note_and_the_mini_cart(client):
    product = ProductFactory(price=Decimal("700.00"), stock=5)

    response = _add(client, product, quantity="2", **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Added to the cart." in body
    assert 'id="mini-cart"' in body and 'hx-swap-oob="true"' in body
    assert '<span class="mini-cart-count">2</span>' in body


def test_product_with_variants_needs_a_variant_chosen(client):
    product = ProductFactory(name="Кроссовки", stock=0)
    ProductVariantFactory(product=product, stock=3)

    response = _add(client, product, follow=True)

    assert "Please choose a variant of “Кроссовки”." in response.content.decode()
    assert not CartLine.objects.exists()


def test_chosen_variant_goes_into_the_cart(client):
    product = ProductFactory(stock=0)
    variant = ProductVariantFactory(product=product, stock=3)

    _add(client, product, variant=variant)

    assert _line(client).variant == variant


@pytest.mark.parametrize("quantity", ["0", "-1", str(10**9), "1e3", "1.5", ""])
def test_bad_quantity_on_add_is_refused_with_a_clear_message_and_stock_unchanged(client, quantity):
    product = ProductFactory(name="Чайник", stock=10)

    response = _add(client, product, quantity=quantity, follow=True)

    body = response.content.decode()
    assert any(text in body for text in (
        "Quantity must be at least 1.", "Quantity must be a whole number.", "Only 10 of “Чайник” left in stock.",
    ))
    assert not CartLine.objects.exists()
    assert Product.objects.get(pk=product.pk).stock == 10


def test_bad_quantity_on_add_with_htmx_is_answered_in_place(client):
    product = ProductFactory(stock=10)

    response = _add(client, product, quantity="1.5", **HTMX)

    assert response.status_code == 200
    assert "Quantity must be a whole number." in response.content.decode()
    assert not CartLine.objects.exists()


def test_changing_quantity_without_javascript_redirects_to_the_cart(client):
    _add(client, ProductFactory(stock=10))
    line = _line(client)

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "4"})

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:cart")
    line.refresh_from_db()
    assert line.quantity == 4


def test_changing_quantity_with_htmx_returns_the_cart_and_the_mini_cart(client):
    _add(client, ProductFactory(price=Decimal("100.00"), stock=10))
    line = _line(client)

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "4"}, **HTMX)

    body = response.content.decode()
    assert body.startswith('<section id="cart"')
    assert "<!doctype html>" not in body
    assert '<span class="mini-cart-count">4</span>' in body
    assert 'value="4"' in body


@pytest.mark.parametrize("quantity", ["0", "-1", str(10**9), "1e3", "1.5"])
def test_bad_quantity_change_is_refused_and_the_line_and_stock_stay(client, quantity):
    product = ProductFactory(stock=10)
    _add(client, product, quantity="2")
    line = _line(client)

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": quantity}, **HTMX)

    assert 'role="alert"' in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 2
    assert Product.objects.get(pk=product.pk).stock == 10


def test_quantity_above_stock_says_how_many_are_left(client):
    _add(client, ProductFactory(name="Чайник", stock=3))
    line = _line(client)

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "5"}, follow=True)

    assert "Only 3 of “Чайник” left in stock." in response.content.decode()


def test_removing_the_last_line_empties_the_cart_and_clears_the_cookie(client):
    _add(client, ProductFactory(stock=10))
    line = _line(client)

    response = client.post(reverse("orders:cart_line_remove", args=[line.pk]), **HTMX)

    assert not CartLine.objects.exists()
    assert "Your cart is empty." in response.content.decode()
    assert response.cookies["cart"].value == ""


def test_a_shopper_cannot_change_another_shoppers_cart_line(client):
    other = Client()
    _add(other, ProductFactory(stock=10))
    line = CartLine.objects.get()
    _add(client, ProductFactory(stock=10))

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "5"})

    assert response.status_code == 404
    line.refresh_from_db()
    assert line.quantity == 1


def test_price_change_since_adding_is_shown_on_the_cart_page(client):
    product = ProductFactory(price=Decimal("1290.00"), stock=10)
    _add(client, product)
    Product.objects.filter(pk=product.pk).update(price=Decimal("1190.00"))

    page = client.get(reverse("orders:cart")).content.decode()

    assert "was 1,290\xa0₽, now 1,190\xa0₽" in page


def test_product_name_with_script_is_escaped_in_the_cart(client):
    _add(client, ProductFactory(name="<script>alert(1)</script>", stock=10))

    page = client.get(reverse("orders:cart")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_guest_cart_merges_into_the_account_on_sign_in(client):
    user = UserFactory(email="anna@example.com")
    kettle, mug = ProductFactory(stock=10), ProductFactory(stock=10)
    Cart.objects.create(user=user).lines.create(product=mug, quantity=1, price_when_added=mug.price)
    _add(client, kettle, quantity="2")
    _add(client, mug, quantity="2")

    response = client.post(reverse("customers:sign_in"), {"email": "anna@example.com", "password": PASSWORD})

    assert response.status_code == 302
    cart = Cart.objects.get(user=user)
    assert {line.product_id: line.quantity for line in cart.lines.all()} == {kettle.pk: 2, mug.pk: 3}
    assert Cart.objects.count() == 1
    page = client.get(reverse("orders:cart")).content.decode()
    assert '<span class="mini-cart-count">5</span>' in page


def test_signed_in_customer_adds_to_the_account_cart(client):
    user = UserFactory()
    client.force_login(user)

    _add(client, ProductFactory(stock=10))

    assert Cart.objects.get().user == user
