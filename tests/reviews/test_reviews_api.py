"""/api/v1/products/<id or slug>/reviews/: published reviews for anyone, a new one from a verified buyer."""

import pytest
from rest_framework.test import APIClient

from customers.roles import MANAGER
from orders.account.services import guest_orders_add, guest_orders_link
from reviews.models import Review
from reviews.services import reviews_moderate
from tests.factories import ProductFactory, UserFactory, staff_user
from tests.reviews.conftest import order_of, review_by_buyer

pytestmark = pytest.mark.django_db

TEXT = "Кипятит быстро, не шумит, крышка не болтается."


@pytest.fixture
def api(db):
    return APIClient()


def _url(product) -> str:
    return f"/api/v1/products/{product.slug}/reviews/"


def test_the_list_has_published_reviews_only_newest_first(api, kettle):
    older, newer = review_by_buyer(kettle, rating=5), review_by_buyer(kettle, rating=3)
    review_by_buyer(kettle, rating=1)  # still waiting
    reviews_moderate(review_ids=[older.pk, newer.pk], status=Review.Status.PUBLISHED, moderator=staff_user(MANAGER))

    body = api.get(_url(kettle)).json()

    assert body["count"] == 2
    assert [(item["id"], item["rating"], item["status"]) for item in body["results"]] == [
        (newer.pk, 3, "published"), (older.pk, 5, "published")]


def test_the_list_answers_by_product_id_too(api, kettle):
    assert api.get(f"/api/v1/products/{kettle.pk}/reviews/").status_code == 200


def test_an_unknown_or_hidden_product_has_no_reviews_list(api):
    hidden = ProductFactory(is_active=False)

    assert api.get("/api/v1/products/no-such-thing/reviews/").status_code == 404
    assert api.get(_url(hidden)).status_code == 404


def test_the_product_carries_its_rating(api, kettle):
    reviews = [review_by_buyer(kettle, rating=rating) for rating in (5, 2)]
    reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.PUBLISHED, moderator=staff_user(MANAGER))

    detail = api.get(f"/api/v1/products/{kettle.slug}/").json()
    listed = api.get("/api/v1/products/").json()["results"][0]

    assert (detail["rating_average"], detail["rating_count"]) == ("3.50", 2)
    assert (listed["rating_average"], listed["rating_count"]) == ("3.50", 2)


def test_a_product_without_published_reviews_has_a_null_rating(api, kettle):
    detail = api.get(f"/api/v1/products/{kettle.slug}/").json()

    assert (detail["rating_average"], detail["rating_count"]) == (None, 0)


def test_a_verified_buyer_posts_a_review_that_waits_for_moderation(api, kettle, buyer):
    api.force_authenticate(buyer)

    response = api.post(_url(kettle), {"rating": 5, "text": TEXT}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "pending" and response.json()["author"] == "Анна С."
    assert api.get(_url(kettle)).json()["count"] == 0


def test_a_guest_gets_401(api, kettle):
    response = api.post(_url(kettle), {"rating": 5, "text": TEXT}, format="json")

    assert response.status_code == 401
    assert not Review.objects.exists()


def test_a_customer_who_did_not_receive_the_product_gets_403_with_the_reason(api, kettle):
    api.force_authenticate(UserFactory())

    response = api.post(_url(kettle), {"rating": 5, "text": TEXT}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only customers who received this product can review it.")
    assert response.json()["code"] == "not_a_verified_buyer"
    assert not Review.objects.exists()


def test_an_account_with_a_guest_buyers_unconfirmed_e_mail_gets_403_and_how_to_confirm_it(api, kettle):
    order_of(kettle, user=None, email="anna@example.com")
    api.force_authenticate(UserFactory(email="anna@example.com"))

    response = api.post(_url(kettle), {"rating": 1, "text": TEXT}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_verified_buyer"
    assert "Ordered it as a guest? Add the order to your account first" in response.json()["detail"]
    assert not Review.objects.exists()


def test_a_guest_buyer_who_confirmed_the_e_mail_posts_a_review(api, kettle):
    order_of(kettle, user=None, email="anna@example.com")
    anna = UserFactory(email="anna@example.com")
    guest_orders_add(user=anna, token=guest_orders_link(user=anna, shop_url="http://testserver").split("/")[-2])
    api.force_authenticate(anna)

    response = api.post(_url(kettle), {"rating": 5, "text": TEXT}, format="json")

    assert response.status_code == 201


def test_a_second_review_gets_409(api, kettle, buyer):
    api.force_authenticate(buyer)
    api.post(_url(kettle), {"rating": 5, "text": TEXT}, format="json")

    response = api.post(_url(kettle), {"rating": 1, "text": TEXT}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "already_reviewed"
    assert Review.objects.get().rating == 5


@pytest.mark.parametrize(("body", "field"), [
    ({"rating": 0, "text": TEXT}, "rating"),
    ({"rating": "five", "text": TEXT}, "rating"),
    ({"rating": 5, "text": "коротко"}, "text"),
    ({"rating": 5}, "text"),
])
def test_bad_input_gets_400_naming_the_field(api, kettle, buyer, body, field):
    api.force_authenticate(buyer)

    response = api.post(_url(kettle), body, format="json")

    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Review.objects.exists()


def test_posting_to_an_unknown_product_gets_404(api, buyer):
    api.force_authenticate(buyer)

    assert api.post("/api/v1/products/no-such-thing/reviews/", {"rating": 5, "text": TEXT},
                    format="json").status_code == 404


def test_the_schema_documents_every_answer_of_the_reviews_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = schema["paths"]["/api/v1/products/{key}/reviews/"]

    assert {"200", "404"} <= operations["get"]["responses"].keys()
    assert {"201", "400", "401", "403", "404", "409"} <= operations["post"]["responses"].keys()
    product = schema["components"]["schemas"]["ProductDetail"]["properties"]
    assert {"rating_average", "rating_count"} <= product.keys()
