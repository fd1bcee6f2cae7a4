"""Price drop: customers who viewed or carted a product hear when it is at least the campaign's
share cheaper than they saw it, once per change of price."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Product, ProductVariant
from customers.models import Consent, ProductView
from customers.services import consent_record
from marketing.campaigns.models import CampaignEntry, ProductPriceRecord
from marketing.campaigns.services import campaigns_scan
from marketing.campaigns.triggers.watch import product_prices_record
from marketing.kinds import MessageKind
from orders.services import cart_add
from tests.factories import CartFactory, ProductFactory, ProductVariantFactory, UserFactory
from tests.harness import in_parallel
from tests.marketing.campaigning import campaign_on, campaign_run, consent_given
from tests.marketing.ordering import order_placed

pytestmark = pytest.mark.django_db

Kind = MessageKind


def _ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def _watched(price="1000.00"):
    """A product whose price the shop has been watching for a week (its first record)."""
    product = ProductFactory(name="Фен", price=Decimal(price), stock=5)
    product_prices_record(now=_ago(days=7))
    return product


def _priced(product, price: str) -> None:
    """The price changed the way a price list writes it: one UPDATE, no signal."""
    Product.objects.filter(pk=product.pk).update(price=Decimal(price))


def _viewer(product, email="anna@example.com", *, hours_ago=5):
    customer = UserFactory(email=email)
    consent_given(email)
    ProductView.objects.create(user=customer, product=product, viewed_at=_ago(hours=hours_ago))
    return customer


def _sized():
    """A hair dryer sold in two sizes, watched for a week: the small one at the product's price
    (1000), the large one at its own (1500)."""
    product = ProductFactory(name="Фен", price=Decimal("1000.00"), stock=0)
    small = ProductVariantFactory(product=product, name="0,5 л", price_override=None)
    large = ProductVariantFactory(product=product, name="1 л", price_override=Decimal("1500.00"))
    product_prices_record(now=_ago(days=7))
    return product, small, large


def _variant_priced(variant, price: str | None) -> None:
    ProductVariant.objects.filter(pk=variant.pk).update(price_override=None if price is None else Decimal(price))


def _carted(product, variant, email):
    consent_given(email)
    cart_add(cart=CartFactory(email=email), product=product, variant=variant, quantity=1)


def test_a_variants_drop_is_told_once_to_who_carted_that_variant_with_its_name_and_price(
    django_capture_on_commit_callbacks,
):
    campaign_on(Kind.PRICE_DROP)
    product, small, large = _sized()
    _carted(product, large, "large@example.com")
    _carted(product, small, "small@example.com")
    _viewer(product, "viewer@example.com")

    _variant_priced(large, "1200.00")
    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["large@example.com"]
    assert message.subject == "“Фен — 1 л” is cheaper now"
    assert "Фен — 1 л" in message.body and "1,200" in message.body and "1,500" in message.body
    assert CampaignEntry.objects.count() == 1


def test_a_variant_dropping_less_than_the_campaigns_share_is_not_told(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    product, _small, large = _sized()
    _carted(product, large, "large@example.com")

    _variant_priced(large, "1400.00")
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_product_price_drop_reaches_who_carted_a_variant_sold_at_it_not_one_with_its_own_price(
    django_capture_on_commit_callbacks,
):
    """The product's page shows the product's price: its viewers hear, as before; a cart line
    of a variant follows the variant's price, which for the small size is the product's."""
    campaign_on(Kind.PRICE_DROP)
    product, small, large = _sized()
    _carted(product, small, "small@example.com")
    _carted(product, large, "large@example.com")
    _viewer(product, "viewer@example.com")

    _priced(product, "800.00")
    campaign_run(django_capture_on_commit_callbacks)

    told = {tuple(message.to): message for message in mail.outbox}
    assert set(told) == {("small@example.com",), ("viewer@example.com",)}
    assert "Фен — 0,5 л" in told["small@example.com",].body and "800" in told["small@example.com",].body
    assert told["viewer@example.com",].subject == "“Фен” is cheaper now"


def test_who_viewed_the_product_and_carted_a_size_sold_at_its_price_hears_once_of_the_size(
    django_capture_on_commit_callbacks,
):
    campaign_on(Kind.PRICE_DROP)
    product, small, _large = _sized()
    customer = _viewer(product, "anna@example.com")
    cart_add(cart=CartFactory(user=customer), product=product, variant=small, quantity=1)

    _priced(product, "800.00")
    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject == "“Фен — 0,5 л” is cheaper now"
    assert CampaignEntry.objects.count() == 1  # not one more about the product, held back by the cap


def test_a_variants_price_is_recorded_once_per_change():
    product, small, large = _sized()
    _variant_priced(large, "1300.00")
    _priced(product, "900.00")

    product_prices_record(now=timezone.now())
    product_prices_record(now=timezone.now())

    def chain(**where):
        return list(ProductPriceRecord.objects.filter(**where).order_by("id").values_list("price", flat=True))

    assert chain(product=product, variant=None) == [Decimal("1000.00"), Decimal("900.00")]
    assert chain(variant=small) == [Decimal("1000.00"), Decimal("900.00")]
    assert chain(variant=large) == [Decimal("1500.00"), Decimal("1300.00")]


def test_a_customer_who_viewed_the_product_hears_it_is_cheaper(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    product = _watched()
    _viewer(product)

    _priced(product, "850.00")
    campaign_run(django_capture_on_commit_callbacks)
    campaign_run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject == "“Фен” is cheaper now"
    assert "1,000" in message.body and "850" in message.body


def test_a_guest_who_carted_it_hears_too(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    product = _watched()
    consent_given("guest@example.com")
    cart_add(cart=CartFactory(email="guest@example.com"), product=product, quantity=1)

    _priced(product, "800.00")
    campaign_run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["guest@example.com"]


def test_a_drop_smaller_than_the_campaigns_share_is_not_told(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP, condition_percent=20)
    product = _watched()
    _viewer(product)

    _priced(product, "850.00")
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_small_steps_count_from_the_price_the_customer_saw(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    product = _watched()
    _viewer(product)
    _priced(product, "950.00")
    campaign_run(django_capture_on_commit_callbacks)
    nothing_yet = list(mail.outbox)

    _priced(product, "880.00")
    campaign_run(django_capture_on_commit_callbacks)

    assert nothing_yet == [] and len(mail.outbox) == 1


def test_a_price_that_went_up_or_a_view_after_the_drop_is_not_a_drop(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    dearer, already_cheap = _watched(), _watched()
    _viewer(dearer, "dearer@example.com")
    _priced(dearer, "1200.00")
    _priced(already_cheap, "700.00")
    product_prices_record(now=_ago(hours=10))
    _viewer(already_cheap, "late@example.com", hours_ago=5)

    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_no_consent_or_a_refused_price_drop_kind_means_no_message(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    product = _watched()
    silent = UserFactory(email="silent@example.com")
    ProductView.objects.create(user=silent, product=product, viewed_at=_ago(hours=5))
    refused = _viewer(product, "refused@example.com")
    consent_record(kind=Consent.Kind.MARKETING_EMAIL, granted=False, wording_version="test",
                   source=Consent.Source.PREFERENCES, user=refused, email=refused.email, topic=Kind.PRICE_DROP)

    _priced(product, "500.00")
    counts = campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == [] and counts["no_consent"] == 2


def test_a_customer_who_bought_it_meanwhile_is_not_told(django_capture_on_commit_callbacks):
    campaign_on(Kind.PRICE_DROP)
    product = _watched()
    customer = _viewer(product)
    order = order_placed(email=customer.email)
    order.lines.update(product=product)

    _priced(product, "500.00")
    campaign_run(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert CampaignEntry.objects.get().status == CampaignEntry.Status.STOPPED


def test_a_price_changed_again_before_the_message_goes_is_told_once_at_the_new_price(
    django_capture_on_commit_callbacks,
):
    campaign_on(Kind.PRICE_DROP)
    product = _watched()
    _viewer(product)
    _priced(product, "850.00")
    campaigns_scan()
    _priced(product, "800.00")

    campaign_run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert "800" in message.body
    assert CampaignEntry.objects.filter(status=CampaignEntry.Status.STOPPED).count() == 1


def test_prices_are_recorded_once_per_change():
    product = _watched()
    _priced(product, "900.00")

    product_prices_record(now=timezone.now())
    product_prices_record(now=timezone.now())

    assert list(ProductPriceRecord.objects.filter(product=product).order_by("id").values_list("price", flat=True)) \
        == [Decimal("1000.00"), Decimal("900.00")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_scans_at_once_record_one_price_change_and_one_entry_per_person():
    campaign_on(Kind.PRICE_DROP)
    products = [_watched() for _ in range(5)]
    for n, product in enumerate(products):
        _viewer(product, f"c{n}@example.com")
        _priced(product, "500.00")

    results = in_parallel(2, lambda _index: campaigns_scan())

    assert not [result for result in results if isinstance(result, Exception)]
    assert ProductPriceRecord.objects.count() == 10
    assert CampaignEntry.objects.count() == 5
