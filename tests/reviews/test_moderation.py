"""Reviews wait for a moderator; only published ones are shown and counted."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalog.models import Product
from customers.roles import MANAGER, MARKETER, WAREHOUSE
from reviews.models import Review
from reviews.selectors import reviews_published
from reviews.services import reviews_moderate
from tests.factories import UserFactory, staff_user
from tests.reviews.conftest import review_by_buyer

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_review_changelist")


def _rating(product) -> tuple:
    product = Product.objects.get(pk=product.pk)
    return product.rating_average, product.rating_count


def test_a_pending_review_is_neither_shown_nor_counted(kettle):
    review_by_buyer(kettle, rating=1)

    assert list(reviews_published(product=kettle)) == []
    assert _rating(kettle) == (None, 0)


def test_publishing_reviews_sets_the_products_average_and_count(kettle):
    reviews = [review_by_buyer(kettle, rating=rating) for rating in (5, 4, 4)]

    changed = reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.PUBLISHED,
                               moderator=staff_user(MANAGER))

    assert changed == 3
    assert _rating(kettle) == (Decimal("4.33"), 3)


def test_rejecting_a_published_review_takes_it_out_of_the_average(kettle):
    manager = staff_user(MANAGER)
    kept, taken_down = review_by_buyer(kettle, rating=5), review_by_buyer(kettle, rating=1)
    reviews_moderate(review_ids=[kept.pk, taken_down.pk], status=Review.Status.PUBLISHED, moderator=manager)

    reviews_moderate(review_ids=[taken_down.pk], status=Review.Status.REJECTED, moderator=manager)

    assert _rating(kettle) == (Decimal("5.00"), 1)
    assert list(reviews_published(product=kettle)) == [kept]


def test_rejecting_the_only_published_review_leaves_the_product_without_a_rating(kettle):
    manager = staff_user(MANAGER)
    review = review_by_buyer(kettle, rating=3)
    reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=manager)

    reviews_moderate(review_ids=[review.pk], status=Review.Status.REJECTED, moderator=manager)

    assert _rating(kettle) == (None, 0)


def test_publishing_twice_changes_nothing_the_second_time(kettle):
    manager = staff_user(MANAGER)
    review = review_by_buyer(kettle, rating=3)
    reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=manager)

    assert reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=manager) == 0
    assert _rating(kettle) == (Decimal("3.00"), 1)


@pytest.mark.parametrize("role", [WAREHOUSE, None])
def test_someone_without_the_permission_cannot_publish_and_the_review_stays_pending(kettle, role):
    review = review_by_buyer(kettle)
    someone = staff_user(role) if role else UserFactory()

    with pytest.raises(PermissionDenied):
        reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=someone)

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING and review.moderated_by is None
    assert _rating(kettle) == (None, 0)


@pytest.mark.parametrize("role", [MANAGER, MARKETER])
def test_managers_and_marketers_publish_reviews_in_bulk_from_the_admin(client, kettle, role):
    moderator = staff_user(role)
    reviews = [review_by_buyer(kettle, rating=rating) for rating in (5, 3)]
    client.force_login(moderator)

    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [r.pk for r in reviews]},
                           follow=True)

    assert "2 reviews published." in response.content.decode()
    assert set(Review.objects.values_list("status", "moderated_by")) == {(Review.Status.PUBLISHED, moderator.pk)}
    assert _rating(kettle) == (Decimal("4.00"), 2)


def test_a_manager_rejects_reviews_in_bulk_from_the_admin(client, kettle):
    client.force_login(staff_user(MANAGER))
    review = review_by_buyer(kettle)

    client.post(CHANGELIST, {"action": "reject", "_selected_action": [review.pk]})

    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED


def test_staff_who_may_only_read_reviews_are_not_offered_the_actions_and_nothing_changes(client, kettle):
    from django.contrib.auth.models import Permission

    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_review"))
    review = review_by_buyer(kettle)
    client.force_login(reader)

    listing = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [review.pk]})

    assert listing.status_code == 200 and 'value="publish"' not in listing.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_the_warehouse_does_not_see_the_reviews_at_all(client):
    client.force_login(staff_user(WAREHOUSE))

    assert client.get(CHANGELIST).status_code == 403


def test_the_moderation_queue_shows_waiting_reviews_first(client, kettle):
    manager = staff_user(MANAGER)
    waiting = review_by_buyer(kettle, text="Ранний отзыв, ждёт проверки.")
    newer = review_by_buyer(kettle, text="Поздний отзыв, уже опубликован.")
    reviews_moderate(review_ids=[newer.pk], status=Review.Status.PUBLISHED, moderator=manager)
    client.force_login(manager)

    page = client.get(CHANGELIST).content.decode()

    assert page.index("Ранний отзыв") < page.index("Поздний отзыв")
    assert waiting.status == Review.Status.PENDING


def test_a_published_review_deleted_with_its_authors_account_leaves_the_rating(kettle):
    manager = staff_user(MANAGER)
    kept, leaving = review_by_buyer(kettle, rating=5), review_by_buyer(kettle, rating=1)
    reviews_moderate(review_ids=[kept.pk, leaving.pk], status=Review.Status.PUBLISHED, moderator=manager)

    leaving.user.delete()

    assert _rating(kettle) == (Decimal("5.00"), 1)


def test_the_customers_data_export_includes_their_reviews(kettle, buyer):
    from customers.selectors import personal_data_export

    review_by_buyer(kettle, user=buyer, rating=4)

    [exported] = personal_data_export(user=buyer)["reviews"]

    assert (exported["product"], exported["rating"], exported["status"]) == (kettle.name, 4, "pending")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_publishing_at_once_leave_the_average_of_both_reviews(kettle):
    import threading

    from django.db import connection

    first, second = review_by_buyer(kettle, rating=5), review_by_buyer(kettle, rating=2)
    moderators = [staff_user(MANAGER), staff_user(MANAGER)]
    barrier = threading.Barrier(2)

    def publish(review, moderator):
        try:
            barrier.wait()
            reviews_moderate(review_ids=[review.pk], status=Review.Status.PUBLISHED, moderator=moderator)
        finally:
            connection.close()

    for _attempt in range(5):  # the race is the threads'; a few rounds make an overlap near certain
        Review.objects.update(status=Review.Status.PENDING)
        Product.objects.filter(pk=kettle.pk).update(rating_average=None, rating_count=0)
        threads = [threading.Thread(target=publish, args=pair) for pair in zip((first, second), moderators,
                                                                                 strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert _rating(kettle) == (Decimal("3.50"), 2)
