"""The product page and its structured data show published reviews only."""

import html

import pytest
from django.urls import reverse

from customers.roles import MANAGER
from reviews.models import Review
from reviews.product_page import PAGE_SIZE
from reviews.services import reviews_moderate
from tests.catalog.test_seo import structured
from tests.factories import UserFactory, staff_user
from tests.reviews.conftest import order_of, review_by_buyer

pytestmark = pytest.mark.django_db


def _published(product, *ratings: int, text: str = "Хороший чайник, рекомендую всем.") -> list[Review]:
    reviews = [review_by_buyer(product, rating=rating, text=f"{text} №{n}") for n, rating in enumerate(ratings)]
    reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.PUBLISHED,
                     moderator=staff_user(MANAGER))
    return reviews


def test_the_page_shows_the_average_the_stars_the_count_and_the_published_reviews(client, kettle):
    _published(kettle, 5, 4)
    review_by_buyer(kettle, rating=1, text="Ждёт проверки: ужасный чайник.")

    page = html.unescape(client.get(kettle.get_absolute_url()).content.decode())

    assert "4.5" in page and "2 reviews" in page and 'aria-label="Rating 4.5 out of 5"' in page
    assert "Хороший чайник, рекомендую всем. №0" in page
    assert "ужасный чайник" not in page


def test_a_product_without_reviews_says_so_and_has_no_stars(client, kettle):
    page = client.get(kettle.get_absolute_url()).content.decode()

    assert "No reviews yet." in page and "rating-summary" not in page


def test_reviews_come_a_page_at_a_time(client, kettle):
    _published(kettle, *([5] * (PAGE_SIZE + 2)))

    first = client.get(kettle.get_absolute_url()).content.decode()
    second = client.get(kettle.get_absolute_url(), {"reviews_page": 2}).content.decode()

    assert first.count('class="review"') == PAGE_SIZE and "reviews_page=2" in first
    assert second.count('class="review"') == 2


def test_an_anonymous_shopper_is_asked_to_sign_in_to_review(client, kettle):
    page = client.get(kettle.get_absolute_url()).content.decode()

    assert "Sign in to write a review" in page and 'class="review-form"' not in page
    assert "Ordered it as a guest? Sign in or open an account with the e-mail you ordered with" in page


def test_a_signed_in_customer_who_did_not_receive_the_product_is_told_why_there_is_no_form(client, kettle):
    client.force_login(UserFactory())

    page = client.get(kettle.get_absolute_url()).content.decode()

    assert "Only customers who received this product can review it" in page
    assert 'class="review-form"' not in page


def test_an_account_with_a_guest_buyers_unconfirmed_e_mail_is_shown_how_to_confirm_it_instead_of_the_form(
    client, kettle
):
    order_of(kettle, user=None, email="anna@example.com")
    client.force_login(UserFactory(email="anna@example.com"))

    page = client.get(kettle.get_absolute_url()).content.decode()

    assert 'class="review-form"' not in page
    assert "confirm your e-mail address on your orders page" in page
    assert f'href="{reverse("account_orders:list")}"' in page


def test_a_verified_buyer_finds_the_form_on_the_product_page(client, kettle, buyer):
    client.force_login(buyer)

    page = client.get(kettle.get_absolute_url()).content.decode()

    assert 'class="review-form"' in page and 'name="rating"' in page


def test_a_customer_who_has_written_a_review_is_told_it_is_being_checked(client, kettle, buyer):
    review_by_buyer(kettle, user=buyer)
    client.force_login(buyer)

    page = client.get(kettle.get_absolute_url()).content.decode()

    assert "will appear here once it has been checked" in page and 'class="review-form"' not in page


def test_an_anonymous_page_kept_in_the_cache_shows_the_rating_as_soon_as_a_review_is_published(
        client, kettle, django_capture_on_commit_callbacks):
    review = review_by_buyer(kettle, rating=4)
    before = client.get(kettle.get_absolute_url())  # now in the page cache
    assert client.get(kettle.get_absolute_url())["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=staff_user(MANAGER))
    after = client.get(kettle.get_absolute_url())

    assert "rating-summary" not in before.content.decode()
    assert after["X-Cache"] == "miss" and "rating-summary" in after.content.decode()


def test_json_ld_has_no_aggregate_rating_while_reviews_wait_for_moderation(client, kettle):
    review_by_buyer(kettle, rating=5)

    product = structured(client.get(kettle.get_absolute_url()))["Product"]

    assert "aggregateRating" not in product and "review" not in product


def test_json_ld_carries_the_aggregate_rating_and_a_few_reviews_once_published(client, kettle):
    _published(kettle, 5, 4, 4, 3)

    product = structured(client.get(kettle.get_absolute_url()))["Product"]

    assert product["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": "4.0", "reviewCount": 4,
                                          "bestRating": "5", "worstRating": "1"}
    assert len(product["review"]) == 3
    first = product["review"][0]
    assert first["@type"] == "Review" and first["author"] == {"@type": "Person", "name": first["author"]["name"]}
    assert first["reviewRating"]["ratingValue"] in {"3", "4", "5"} and first["reviewBody"].startswith("Хороший")


def test_crawlers_are_kept_out_of_the_review_forms_but_not_the_product_pages(client, kettle):
    robots = client.get("/robots.txt").content.decode().splitlines()

    assert {"Disallow: /reviews/", "Disallow: /product/*/review/"} <= set(robots)
    assert not [rule for rule in robots if rule.startswith("Disallow: /product/") and not rule.endswith("/review/")]


def test_the_category_listing_kept_in_the_cache_shows_the_cards_stars_once_published(
        client, kettle, django_capture_on_commit_callbacks):
    review = review_by_buyer(kettle, rating=4)
    listing = kettle.category.get_absolute_url()
    client.get(listing)
    assert client.get(listing)["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=staff_user(MANAGER))
    page = client.get(listing).content.decode()

    assert 'class="product-card-rating"' in page and 'aria-label="Rating 4.0 out of 5"' in page
