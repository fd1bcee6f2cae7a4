"""“Tell me when it is back”: the form on a sold-out product, the guest's double opt-in, and one
message per request when the product returns, within consent, caps, window and holdout."""

import datetime
import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent
from customers.services import consent_record
from marketing.campaigns.links import back_in_stock_confirm_url
from marketing.campaigns.models import BackInStockRequest, CampaignEntry, CampaignMessage, ProductRestock
from marketing.campaigns.services import campaigns_scan
from marketing.kinds import MessageKind
from marketing.models import OutboundMessage
from tests.factories import ProductFactory, UserFactory
from tests.harness import in_parallel
from tests.marketing.campaigning import campaign_on, campaign_run, consent_given

pytestmark = pytest.mark.django_db

Kind = MessageKind
Status = BackInStockRequest.Status


def _sold_out(**fields):
    return ProductFactory(name="Крем «Облепиха»", stock=0, **fields)


def _restocked(product, stock: int = 5) -> None:
    """Stock comes back the way the admin or an import writes it: the product is saved."""
    product.stock = stock
    product.save()


def _ask(client, product, email: str = ""):
    return client.post(reverse("marketing:back_in_stock"), {"product": product.pk, "email": email},
                       headers={"Sec-Fetch-Site": "same-origin"})


def _confirm_link() -> str:
    [message] = [m for m in mail.outbox if "/m/back-in-stock/" in m.body]
    return re.search(r"http://\S+/m/back-in-stock/\S+/", message.body).group(0).removeprefix("http://localhost:8000")


def _guest_confirmed(client, product, email="anna@example.com", django_capture_on_commit_callbacks=None):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, product, email)
    client.post(_confirm_link())
    mail.outbox = []


def _back_in_stock_mail() -> list:
    return [message for message in mail.outbox if "back in stock" in message.subject]


# --- The form ------------------------------------------------------------------------------


def test_the_sold_out_product_page_offers_to_tell_when_it_is_back(client):
    sold_out, on_sale = _sold_out(), ProductFactory(stock=3)

    assert reverse("marketing:back_in_stock") in client.get(sold_out.get_absolute_url()).content.decode()
    assert reverse("marketing:back_in_stock") not in client.get(on_sale.get_absolute_url()).content.decode()


def test_a_signed_in_customer_is_subscribed_at_once_with_the_consent_recorded(client):
    customer = UserFactory(email="anna@example.com")
    client.force_login(customer)
    product = _sold_out()

    answer = _ask(client, product)

    assert answer.status_code == 200
    request = BackInStockRequest.objects.get()
    assert (request.status, request.user, request.email) == (Status.ACTIVE, customer, "anna@example.com")
    [consent] = Consent.objects.filter(topic=Kind.BACK_IN_STOCK)
    assert (consent.granted, consent.source, consent.wording_version, consent.user) == (
        True, Consent.Source.BACK_IN_STOCK, "back-in-stock-1", customer)
    assert not OutboundMessage.objects.filter(kind=Kind.BACK_IN_STOCK_CONFIRM).exists()


def test_a_guest_is_asked_to_confirm_the_address_first(client, django_capture_on_commit_callbacks):
    product = _sold_out()

    with django_capture_on_commit_callbacks(execute=True):
        answer = _ask(client, product, "Anna@Example.com")

    assert "anna@example.com" in answer.content.decode()
    assert BackInStockRequest.objects.get().status == Status.UNCONFIRMED
    [confirmation] = mail.outbox
    assert confirmation.to == ["anna@example.com"] and "Крем «Облепиха»" in confirmation.subject
    assert not Consent.objects.exists()


def test_opening_the_confirmation_link_confirms_nothing_and_the_button_does(client, django_capture_on_commit_callbacks):
    product = _sold_out()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, product, "anna@example.com")
    link = _confirm_link()

    shown = client.get(link)
    still = BackInStockRequest.objects.get().status
    client.post(link)
    client.post(link)

    assert shown.status_code == 200 and still == Status.UNCONFIRMED
    assert BackInStockRequest.objects.get().status == Status.ACTIVE
    [consent] = Consent.objects.all()
    assert (consent.email, consent.topic, consent.source, consent.granted) == (
        "anna@example.com", Kind.BACK_IN_STOCK, Consent.Source.BACK_IN_STOCK, True)


def test_a_forged_or_altered_confirmation_link_is_not_found(client):
    request = BackInStockRequest.objects.create(product=_sold_out(), email="a@example.com", person="a@example.com",
                                                status=Status.UNCONFIRMED)
    link = back_in_stock_confirm_url(request.pk).removeprefix("http://localhost:8000")

    assert client.post(link[:-4] + "abc/").status_code == 404
    assert client.get(reverse("marketing:back_in_stock_confirm", args=[f"{request.pk}"])).status_code == 404
    assert BackInStockRequest.objects.get().status == Status.UNCONFIRMED


def test_a_confirmation_link_older_than_a_week_is_not_found(client, monkeypatch):
    request = BackInStockRequest.objects.create(product=_sold_out(), email="a@example.com", person="a@example.com",
                                                status=Status.UNCONFIRMED)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 8 * 86400)
    link = back_in_stock_confirm_url(request.pk).removeprefix("http://localhost:8000")
    monkeypatch.setattr(signing.time, "time", lambda: now)

    assert client.post(link).status_code == 404
    assert BackInStockRequest.objects.get().status == Status.UNCONFIRMED


def test_asking_twice_is_one_request_and_one_confirmation(client, django_capture_on_commit_callbacks):
    product = _sold_out()

    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, product, "anna@example.com")
        _ask(client, product, "ANNA@example.com")

    assert BackInStockRequest.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["", "not an address"])
def test_a_guest_without_a_valid_address_is_told_so(client, email):
    answer = _ask(client, _sold_out(), email)

    assert answer.status_code == 400 and not BackInStockRequest.objects.exists()


def test_a_product_on_sale_is_not_waited_for(client):
    answer = _ask(client, ProductFactory(stock=3), "anna@example.com")

    assert answer.status_code == 400 and not BackInStockRequest.objects.exists()


def test_another_sites_form_cannot_subscribe_a_shopper(client):
    answer = client.post(reverse("marketing:back_in_stock"), {"product": _sold_out().pk, "email": "a@example.com"},
                         headers={"Sec-Fetch-Site": "cross-site"})

    assert answer.status_code == 403 and not BackInStockRequest.objects.exists()


def test_a_guest_asking_for_many_addresses_is_stopped_before_the_mailbox_floods(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BACK_IN_STOCK_GUEST_REQUESTS_PER_ADDRESS = 3
    product = _sold_out()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(client, product, f"victim{n}@example.com").status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
    assert BackInStockRequest.objects.count() == 3 and len(mail.outbox) == 3


def test_one_address_gets_at_most_a_few_confirmations_an_hour(client, django_capture_on_commit_callbacks):
    products = [_sold_out() for _ in range(4)]

    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(client, product, "victim@example.com").status_code for product in products]

    assert answers == [200, 200, 200, 429] and len(mail.outbox) == 3


# --- The return ----------------------------------------------------------------------------


def test_a_confirmed_guest_hears_once_when_the_product_is_back(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    _guest_confirmed(client, product, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["anna@example.com"] and message.subject == "“Крем «Облепиха»” is back in stock"
    [restock] = ProductRestock.objects.all()
    request = BackInStockRequest.objects.get()
    assert OutboundMessage.objects.get(kind=Kind.BACK_IN_STOCK).idempotency_key.endswith(
        f"back_in_stock:{request.pk}:{restock.pk}:1")


def test_every_waiting_customer_gets_one_message(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    for n in range(3):
        client.force_login(UserFactory(email=f"c{n}@example.com"))
        _ask(client, product)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == ["c0@example.com", "c1@example.com", "c2@example.com"]


def test_an_unconfirmed_guest_hears_nothing(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, product, "anna@example.com")
    mail.outbox = []

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == [] and not CampaignEntry.objects.exists()


def test_a_request_answered_is_not_answered_again_at_the_next_return(
    client, settings, django_capture_on_commit_callbacks
):
    settings.MARKETING_CAP_PER_DAY = settings.MARKETING_CAP_PER_WEEK = 10  # only the rule may hold it back
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    _guest_confirmed(client, product, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    _restocked(product, stock=0)
    _restocked(product, stock=4)
    campaign_run(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1 and ProductRestock.objects.count() == 2


def test_sold_out_again_before_sending_waits_for_the_next_return(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    _guest_confirmed(client, product, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    _restocked(product)
    campaigns_scan()
    _restocked(product, stock=0)

    campaign_run(django_capture_on_commit_callbacks)
    stopped = CampaignEntry.objects.get().status
    _restocked(product, stock=2)
    campaign_run(django_capture_on_commit_callbacks)

    assert stopped == CampaignEntry.Status.STOPPED
    assert len(_back_in_stock_mail()) == 1


def test_a_guest_who_unsubscribed_from_everything_hears_nothing(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    _guest_confirmed(client, product, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    consent_given("anna@example.com", granted=False)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_customer_who_refused_back_in_stock_messages_since_hears_nothing(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.BACK_IN_STOCK)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)  # news by e-mail are welcome: only this kind is refused
    client.force_login(customer)
    product = _sold_out()
    _ask(client, product)
    consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=False, wording_version="test",
                   source=Consent.Source.PREFERENCES, user=customer, email=customer.email, topic=Kind.BACK_IN_STOCK)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_the_back_in_stock_message_waits_for_the_daily_cap(client, django_capture_on_commit_callbacks):
    campaign_on(Kind.WELCOME)
    campaign_on(Kind.BACK_IN_STOCK)
    customer = UserFactory(email="anna@example.com")
    consent_given(customer.email)
    campaign_run(django_capture_on_commit_callbacks)  # the welcome: today's one message
    client.force_login(customer)
    product = _sold_out()
    _ask(client, product)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert [message.subject for message in mail.outbox] == ["Welcome to Витрина"]
    entry = CampaignEntry.objects.get(campaign__kind=Kind.BACK_IN_STOCK)
    assert entry.status == CampaignEntry.Status.WAITING and entry.due_at > timezone.now() + datetime.timedelta(hours=23)


def test_the_back_in_stock_message_waits_for_the_send_window(client, django_capture_on_commit_callbacks):
    now = timezone.localtime()
    later = (now + datetime.timedelta(hours=3)).time().replace(minute=0, second=0, microsecond=0)
    campaign_on(Kind.BACK_IN_STOCK, send_window_start=later,
                send_window_end=(datetime.datetime.combine(now.date(), later) + datetime.timedelta(hours=1)).time())
    client.force_login(UserFactory(email="anna@example.com"))
    product = _sold_out()
    _ask(client, product)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert CampaignEntry.objects.get().status == CampaignEntry.Status.WAITING


def test_held_out_customers_get_nothing_and_are_recorded(client, django_capture_on_commit_callbacks):
    campaign = campaign_on(Kind.BACK_IN_STOCK, holdout_percent=50)
    product = _sold_out()
    customers = [UserFactory(email=f"c{n}@example.com") for n in range(30)]
    for customer in customers:
        client.force_login(customer)
        _ask(client, product)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    held = {customer.email for customer in customers if campaign.in_holdout(f"user:{customer.pk}")}
    assert 3 < len(held) < 27
    assert {message.to[0] for message in mail.outbox} == {c.email for c in customers} - held
    assert set(CampaignEntry.objects.filter(status=CampaignEntry.Status.HELD_OUT).values_list("email", flat=True)) \
        == held


def test_a_campaign_that_is_off_sends_nothing_when_the_product_returns(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(email="anna@example.com"))
    product = _sold_out()
    _ask(client, product)

    _restocked(product)
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == [] and ProductRestock.objects.count() == 1


def test_a_return_nobody_waits_for_writes_nothing():
    product = _sold_out()

    _restocked(product)

    assert not ProductRestock.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_scans_at_once_open_one_entry_per_request():
    campaign_on(Kind.BACK_IN_STOCK)
    product = _sold_out()
    for n in range(20):
        customer = UserFactory(email=f"c{n}@example.com")
        BackInStockRequest.objects.create(product=product, user=customer, email=customer.email,
                                          person=f"user:{customer.pk}", status=Status.ACTIVE)
    _restocked(product)

    results = in_parallel(2, lambda _index: campaigns_scan())

    assert not [result for result in results if isinstance(result, Exception)]
    assert CampaignEntry.objects.count() == 20
    assert not CampaignMessage.objects.exists()
