"""Visits and product views, recorded as a shopper's browser walks the storefront."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from customers.middleware import COOKIE_NAME, COOKIE_SALT
from customers.models import ProductView, Visit
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
OWN_PAGE = "http://testserver/catalog/"


@pytest.fixture
def browser():
    return Client(headers={"user-agent": CHROME})


@pytest.fixture
def product():
    return ProductFactory()


def visit_cookie(client) -> list[str]:
    """visitor, visit id, last seen (Unix time), campaign fingerprint."""
    request = HttpRequest()
    request.COOKIES[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    return request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT).split(":")


def age_visit(client, *, minutes: int) -> None:
    """Pretend the last page was seen this long ago, as if the shopper had left and come back."""
    visitor, visit, last_seen, campaign = visit_cookie(client)
    response = HttpResponse()
    response.set_signed_cookie(
        COOKIE_NAME, f"{visitor}:{visit}:{int(last_seen) - minutes * 60}:{campaign}", salt=COOKIE_SALT
    )
    client.cookies[COOKIE_NAME] = response.cookies[COOKIE_NAME].value


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_first_page_view_starts_a_visit_with_where_it_came_from(browser):
    browser.get("/catalog/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
                headers={"referer": "https://yandex.ru/search/?text=kettle"})

    visit = Visit.objects.get()
    assert visit.landing_page == "/catalog/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring"
    assert visit.referrer == "https://yandex.ru/search/?text=kettle"
    assert (visit.utm_source, visit.utm_medium, visit.utm_campaign) == ("yandex", "cpc", "spring")
    assert visit.channel == Visit.Channel.PAID_SEARCH
    assert visit.device == Visit.Device.DESKTOP


def test_a_visit_from_a_search_engine_without_tags_is_organic_search(browser):
    browser.get("/", headers={"referer": "https://www.google.com/"})

    assert Visit.objects.get().channel == Visit.Channel.ORGANIC_SEARCH


def test_a_visit_from_a_phone_is_recorded_as_a_phone():
    Client(headers={"user-agent": ANDROID_PHONE}).get("/")

    assert Visit.objects.get().device == Visit.Device.MOBILE


def test_following_pages_within_the_idle_window_continue_the_visit(browser, product):
    browser.get("/")
    browser.get("/catalog/", headers={"referer": "http://testserver/"})
    browser.get(f"/product/{product.slug}/", headers={"referer": OWN_PAGE})

    assert Visit.objects.count() == 1


def test_a_page_after_the_idle_window_starts_a_new_visit_of_the_same_visitor(browser, settings):
    browser.get("/")
    age_visit(browser, minutes=settings.VISIT_IDLE_MINUTES + 1)

    browser.get("/catalog/")

    first, second = Visit.objects.order_by("pk")
    assert second.landing_page == "/catalog/"
    assert second.visitor_id == first.visitor_id
    assert visit_cookie(browser)[1] == str(second.pk)


def test_a_page_just_inside_the_idle_window_continues_the_visit(browser, settings):
    browser.get("/")
    age_visit(browser, minutes=settings.VISIT_IDLE_MINUTES - 1)

    browser.get("/catalog/")

    assert Visit.objects.count() == 1


def test_arriving_with_a_new_utm_source_starts_a_new_visit(browser):
    browser.get("/")

    browser.get("/?utm_source=vk&utm_medium=post", headers={"referer": "https://vk.com/"})

    assert list(Visit.objects.order_by("pk").values_list("channel", flat=True)) == [
        Visit.Channel.DIRECT, Visit.Channel.SOCIAL,
    ]


def test_reloading_a_tagged_landing_page_continues_the_visit(browser):
    browser.get("/?utm_source=newsletter&utm_campaign=may")

    browser.get("/?utm_source=newsletter&utm_campaign=may")

    assert Visit.objects.count() == 1


def test_tags_carried_in_links_between_our_own_pages_do_not_start_a_new_visit(browser):
    browser.get("/")

    # Filter forms and pagination keep the query string, and a cached page may carry another
    # shopper's tags in its links.
    browser.get("/catalog/?utm_source=newsletter&page=2", headers={"referer": OWN_PAGE})

    assert Visit.objects.get().channel == Visit.Channel.DIRECT


@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "curl/8.5.0",
    "",
])
def test_bots_are_not_counted_and_get_no_visit_cookie(user_agent, product):
    bot = Client(headers={"user-agent": user_agent})

    home = bot.get("/")
    product_page = bot.get(f"/product/{product.slug}/")

    assert home.status_code == product_page.status_code == 200
    assert COOKIE_NAME not in home.cookies and COOKIE_NAME not in product_page.cookies
    assert not Visit.objects.exists()
    assert not ProductView.objects.exists()


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/static/css/site.css"])
def test_admin_api_and_static_requests_are_not_tracked(browser, path):
    response = browser.get(path)

    assert COOKIE_NAME not in response.cookies
    assert not Visit.objects.exists()


def test_a_tampered_cookie_starts_a_fresh_visit(browser):
    browser.get("/")
    visitor, visit, last_seen, campaign = visit_cookie(browser)
    signed = browser.cookies[COOKIE_NAME].value
    browser.cookies[COOKIE_NAME] = signed.replace(f":{visit}:", f":{int(visit) + 1000}:", 1)

    response = browser.get("/catalog/")

    assert response.status_code == 200
    first, second = Visit.objects.order_by("pk")
    assert second.landing_page == "/catalog/"
    assert second.visitor_id != first.visitor_id
    assert visit_cookie(browser)[1] == str(second.pk)


def test_garbage_in_the_cookie_starts_a_fresh_visit(browser):
    browser.cookies[COOKIE_NAME] = "not:a:signed:cookie"

    response = browser.get("/")

    assert response.status_code == 200
    assert Visit.objects.count() == 1


def test_product_page_records_a_view_linked_to_the_visit(browser, product):
    browser.get("/")

    browser.get(f"/product/{product.slug}/")

    view = ProductView.objects.get()
    assert view.product == product
    assert view.visit == Visit.objects.get()
    assert view.user is None
    assert view.viewed_at is not None


def test_product_view_of_a_signed_in_customer_records_who_it_was(browser, product):
    customer = UserFactory()
    browser.force_login(customer)

    browser.get(f"/product/{product.slug}/")

    view = ProductView.objects.get()
    assert view.user == customer
    assert view.visit.user == customer


def test_product_view_served_from_the_page_cache_is_still_recorded(browser, product):
    Client(headers={"user-agent": CHROME}).get(f"/product/{product.slug}/")  # renders and caches the page
    browser.get("/")

    # Cached: the page knows its product, so no reading at all, one INSERT of the view.
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(f"/product/{product.slug}/")

    statements = [query["sql"].split()[0].upper() for query in queries]
    assert response.status_code == 200
    assert "SELECT" not in statements
    assert statements.count("INSERT") == 1
    assert ProductView.objects.filter(visit__visitor_id=visit_cookie(browser)[0]).count() == 1


def test_a_page_inside_a_visit_is_still_served_from_the_page_cache(browser, django_assert_num_queries):
    browser.get("/")

    with django_assert_num_queries(0):
        response = browser.get("/")

    assert response.status_code == 200


def test_starting_a_visit_on_a_product_page_writes_visit_and_view_in_one_transaction(browser, product):
    with CaptureQueriesContext(connection) as queries:
        browser.get(f"/product/{product.slug}/")

    # The test runs inside a transaction, so the service's atomic block shows as a savepoint.
    sql = [q["sql"].lstrip().upper() for q in queries]
    begin = next(i for i, statement in enumerate(sql) if statement.startswith("SAVEPOINT"))
    end = next(i for i, statement in enumerate(sql) if statement.startswith("RELEASE SAVEPOINT"))
    inside = writes(queries.captured_queries[begin:end])
    assert len(inside) == 2
    assert "customers_visit" in inside[0] and "customers_productview" in inside[1]
    assert writes(queries.captured_queries) == inside


def test_an_ordinary_page_inside_a_visit_makes_no_writes(browser):
    browser.get("/")

    with CaptureQueriesContext(connection) as queries:
        browser.get("/catalog/")

    assert writes(queries) == []


def test_a_product_page_inside_a_visit_makes_exactly_one_insert(browser, product):
    browser.get("/")

    with CaptureQueriesContext(connection) as queries:
        browser.get(f"/product/{product.slug}/")

    assert len(writes(queries)) == 1
    assert writes(queries)[0].startswith("INSERT INTO \"customers_productview\"")


def test_anonymous_browsing_creates_no_session(browser, product):
    browser.get("/?utm_source=vk")
    browser.get("/catalog/")
    browser.get(f"/product/{product.slug}/")

    assert not Session.objects.exists()
    assert "sessionid" not in browser.cookies
    assert Visit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_product_view_for_a_visit_deleted_meanwhile_starts_a_new_visit(product):
    browser = Client(headers={"user-agent": CHROME})
    browser.get("/")
    Visit.objects.all().delete()  # old visits purged while the shopper's cookie lives on

    response = browser.get(f"/product/{product.slug}/")

    assert response.status_code == 200
    assert ProductView.objects.get().visit == Visit.objects.get()
