"""Only a customer who received the product may review it, once."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from orders.account.services import guest_orders_link
from orders.models import Order
from reviews.models import Review
from reviews.services import AlreadyReviewed, NotAVerifiedBuyer, review_submit
from tests.factories import UserFactory
from tests.reviews.conftest import order_of

pytestmark = pytest.mark.django_db

TEXT = "Кипятит быстро, не шумит, крышка не болтается."


def test_a_customer_who_received_the_product_writes_a_review_that_waits_for_moderation(kettle, buyer):
    review = review_submit(user=buyer, product=kettle, rating=4, text=TEXT)

    assert review.status == Review.Status.PENDING
    assert review.author_name == "Анна С."
    assert review.order.status == Order.Status.DELIVERED


@pytest.mark.parametrize("status", [Order.Status.NEW, Order.Status.SHIPPED, Order.Status.READY_FOR_PICKUP,
                                    Order.Status.CANCELLED, Order.Status.RETURNED])
def test_an_order_not_delivered_or_given_back_does_not_make_a_verified_buyer(kettle, status):
    customer = UserFactory()
    order_of(kettle, user=customer, status=status)

    with pytest.raises(NotAVerifiedBuyer):
        review_submit(user=customer, product=kettle, rating=5, text=TEXT)
    assert not Review.objects.exists()


def test_another_persons_delivered_order_does_not_make_a_customer_a_verified_buyer(kettle):
    order_of(kettle, user=UserFactory(email="boris@example.com"), phone="+79160000001")
    anna = UserFactory(email="anna@example.com", phone="+79160000002")

    with pytest.raises(NotAVerifiedBuyer):
        review_submit(user=anna, product=kettle, rating=5, text=TEXT)


def test_a_delivered_order_of_another_product_does_not_count(kettle, buyer):
    from tests.factories import ProductFactory

    with pytest.raises(NotAVerifiedBuyer):
        review_submit(user=buyer, product=ProductFactory(), rating=5, text=TEXT)


def test_an_account_opened_with_a_guest_buyers_e_mail_cannot_review_as_that_buyer(kettle):
    # Nobody confirmed the address: typing a buyer's e-mail into a new account proves nothing.
    order_of(kettle, user=None, email="anna@example.com", phone="+79161234567")
    impostor = UserFactory(email="anna@example.com")

    with pytest.raises(NotAVerifiedBuyer) as refused:
        review_submit(user=impostor, product=kettle, rating=1, text=TEXT)
    assert "confirm your e-mail address on your orders page" in str(refused.value)
    assert not Review.objects.exists()


def test_a_guest_order_with_the_accounts_phone_typed_another_way_does_not_make_a_verified_buyer(kettle):
    # The shop never confirms a phone, so a phone typed into an account proves nothing either.
    order_of(kettle, user=None, email="", phone="+79161234567")
    anna = UserFactory(email="anna@example.com", phone="8 916 123-45-67")

    with pytest.raises(NotAVerifiedBuyer):
        review_submit(user=anna, product=kettle, rating=5, text=TEXT)


def test_a_guest_buyer_who_confirms_the_e_mail_reviews_the_order_placed_as_a_guest(client, kettle):
    order_of(kettle, user=None, email="anna@example.com")
    anna = UserFactory(email="anna@example.com", first_name="Анна")
    client.force_login(anna)

    client.get(guest_orders_link(user=anna, shop_url="http://testserver"))  # the link sent to the address
    response = client.post(reverse("reviews:write", args=[kettle.slug]), {"rating": 5, "text": TEXT})

    assert response.status_code == 302
    assert Review.objects.get().user == anna


def test_a_second_review_of_the_same_product_is_refused(kettle, buyer):
    review_submit(user=buyer, product=kettle, rating=5, text=TEXT)

    with pytest.raises(AlreadyReviewed):
        review_submit(user=buyer, product=kettle, rating=1, text="Передумала, теперь не нравится.")
    assert Review.objects.get().rating == 5


def test_the_database_itself_refuses_a_second_review_of_the_same_product_by_the_same_customer(kettle, buyer):
    first = review_submit(user=buyer, product=kettle, rating=5, text=TEXT)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(product=kettle, user=buyer, rating=3, text=TEXT, author_name="Анна С.")
    assert list(Review.objects.all()) == [first]


@pytest.mark.parametrize(("rating", "text", "field"), [
    (0, TEXT, "rating"), (6, TEXT, "rating"), (5, "   ок   ", "text"), (5, "x" * 5001, "text"),
])
def test_a_rating_outside_one_to_five_or_a_text_too_short_or_long_is_refused(kettle, buyer, rating, text, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        review_submit(user=buyer, product=kettle, rating=rating, text=text)
    assert field in refused.value.message_dict
    assert not Review.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_leave_exactly_one_review(kettle, buyer):
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(rating):
        try:
            barrier.wait()
            review_submit(user=buyer, product=kettle, rating=rating, text=TEXT)
            outcomes.append("saved")
        except AlreadyReviewed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(rating,)) for rating in (4, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "saved"]
    assert Review.objects.filter(product=kettle, user=buyer).count() == 1


# --- The pages -------------------------------------------------------------------------------


def test_a_guest_posting_a_review_is_sent_to_sign_in_and_nothing_is_saved(client, kettle):
    response = client.post(reverse("reviews:write", args=[kettle.slug]), {"rating": 5, "text": TEXT})

    assert response.status_code == 302 and reverse("customers:sign_in") in response["Location"]
    assert not Review.objects.exists()


def test_a_signed_in_customer_who_did_not_receive_the_product_is_told_why_with_403(client, kettle):
    client.force_login(UserFactory())

    response = client.post(reverse("reviews:write", args=[kettle.slug]), {"rating": 5, "text": TEXT})

    assert response.status_code == 403
    assert "Only customers who received this product can review it" in response.content.decode()
    assert not Review.objects.exists()


def test_the_form_of_an_account_with_a_guest_buyers_unconfirmed_e_mail_is_refused_with_403_and_how_to_confirm(
    client, kettle
):
    order_of(kettle, user=None, email="anna@example.com")
    client.force_login(UserFactory(email="anna@example.com"))

    response = client.post(reverse("reviews:write", args=[kettle.slug]), {"rating": 1, "text": TEXT})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Ordered it as a guest? Add the order to your account first" in page
    assert f'href="{reverse("account_orders:list")}"' in page
    assert not Review.objects.exists()


def test_a_verified_buyer_sends_the_form_and_is_thanked_on_the_product_page(client, kettle, buyer):
    client.force_login(buyer)

    response = client.post(reverse("reviews:write", args=[kettle.slug]), {"rating": 5, "text": TEXT}, follow=True)

    assert response.redirect_chain[-1][0] == kettle.get_absolute_url() + "#reviews"
    page = response.content.decode()
    assert "Your review will appear once it has been checked" in page
    assert Review.objects.get().status == Review.Status.PENDING


def test_an_invalid_form_is_shown_again_with_its_errors_and_400(client, kettle, buyer):
    client.force_login(buyer)

    response = client.post(reverse("reviews:write", args=[kettle.slug]), {"rating": 9, "text": "ok"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Review.objects.exists()


def test_the_review_request_page_lists_the_orders_products_with_a_form_each(client, kettle, buyer):
    order = Order.objects.get(user=buyer)
    client.force_login(buyer)

    response = client.get(reverse("reviews:order", args=[order.number]))

    assert response.status_code == 200
    page = response.content.decode()
    assert kettle.name in page and f'action="{reverse("reviews:write", args=[kettle.slug])}"' in page


def test_another_customers_order_review_page_is_not_found(client, kettle, buyer):
    order = Order.objects.get(user=buyer)
    client.force_login(UserFactory())

    assert client.get(reverse("reviews:order", args=[order.number])).status_code == 404


def test_the_review_request_of_an_order_placed_as_a_guest_asks_to_confirm_the_e_mail_first(client, kettle):
    order = order_of(kettle, user=None, email="anna@example.com")
    anna = UserFactory(email="anna@example.com")
    client.force_login(anna)

    before = client.get(reverse("reviews:order", args=[order.number]))
    client.get(guest_orders_link(user=anna, shop_url="http://testserver"))
    after = client.get(reverse("reviews:order", args=[order.number]))

    assert before.status_code == 404
    assert "confirm your e-mail address on your orders page" in before.content.decode()
    assert after.status_code == 200 and kettle.name in after.content.decode()
