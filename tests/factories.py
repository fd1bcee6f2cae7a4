from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog import models as catalog
from customers import models as customers

factory.Faker._DEFAULT_LOCALE = "ru_RU"


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = catalog.Category

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from catalog.services import category_save

        return category_save(category=model_class(*args, **kwargs))

    name = factory.Sequence(lambda n: f"Категория {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class BrandFactory(DjangoModelFactory):
    class Meta:
        model = catalog.Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Бренд {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = catalog.Product

    category = factory.SubFactory(CategoryFactory)
    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Товар {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    description = factory.Faker("paragraph")
    price = Decimal("990.00")
    stock = 10


class ProductVariantFactory(DjangoModelFactory):
    class Meta:
        model = catalog.ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"VAR-{n:06d}")
    name = factory.Sequence(lambda n: f"Размер {n}")
    stock = 5


class AttributeFactory(DjangoModelFactory):
    class Meta:
        model = catalog.Attribute

    name = factory.Sequence(lambda n: f"Свойство {n}")
    slug = factory.Sequence(lambda n: f"attribute-{n}")
    kind = catalog.Attribute.Kind.CHOICE


class AttributeOptionFactory(DjangoModelFactory):
    class Meta:
        model = catalog.AttributeOption

    attribute = factory.SubFactory(AttributeFactory)
    value = factory.Sequence(lambda n: f"Значение {n}")
    slug = factory.Sequence(lambda n: f"value-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = customers.User

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


class CategoryAttributeFactory(DjangoModelFactory):
    class Meta:
        model = catalog.CategoryAttribute

    category = factory.SubFactory(CategoryFactory)
    attribute = factory.SubFactory(AttributeFactory)


class ProductAttributeValueFactory(DjangoModelFactory):
    """Pass option=, number= or boolean= to match the attribute's kind."""

    class Meta:
        model = catalog.ProductAttributeValue

    product = factory.SubFactory(ProductFactory)
    attribute = factory.SubFactory(AttributeFactory)


def png_file(name: str = "photo.png", *, width: int = 40, height: int = 30, colour: str = "red"):
    """A small real PNG, made with Pillow, ready to be saved into an ImageField."""
    from io import BytesIO

    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


class ProductImageFactory(DjangoModelFactory):
    class Meta:
        model = catalog.ProductImage
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(png_file)

    @factory.post_generation
    def thumbnails(image, create, extracted, **kwargs):
        """Made as the worker makes them after the upload commits."""
        if create:
            from catalog.services import product_image_make_thumbnails

            product_image_make_thumbnails(image=image)


def _now():
    from django.utils import timezone

    return timezone.now()


class OutboundMessageFactory(DjangoModelFactory):
    """An outbox row as a worker finds it: pending and due now unless told otherwise."""

    class Meta:
        model = "marketing.OutboundMessage"

    channel = "email"
    kind = "order_accepted"
    recipient = factory.Sequence(lambda n: f"customer{n}@example.com")
    language = "ru"
    subject = "Заказ VT-10001 принят"
    body = "Мы получили ваш заказ VT-10001."
    idempotency_key = factory.Sequence(lambda n: f"test:message:{n}")
    reference = "order:VT-10001"
    due_at = factory.LazyFunction(_now)


# --- Orders ---------------------------------------------------------------------------


class DeliveryMethodFactory(DjangoModelFactory):
    class Meta:
        model = "orders.DeliveryMethod"

    kind = "courier"
    name = factory.Sequence(lambda n: f"Курьер {n}")
    price = Decimal("300.00")
    free_from = None
    days_min = 1
    days_max = 2


class PickupPointFactory(DjangoModelFactory):
    class Meta:
        model = "orders.PickupPoint"

    delivery_method = factory.SubFactory(DeliveryMethodFactory, kind="pickup", price=Decimal("150.00"))
    name = factory.Sequence(lambda n: f"Пункт выдачи {n}")
    city = "Москва"
    address = factory.Sequence(lambda n: f"ул. Тверская, {n}")
    opening_hours = "10:00–21:00"


class PromoCodeFactory(DjangoModelFactory):
    class Meta:
        model = "orders.PromoCode"

    code = factory.Sequence(lambda n: f"PROMO{n}")
    kind = "percent"
    value = Decimal("10")


class CartFactory(DjangoModelFactory):
    class Meta:
        model = "orders.Cart"

    session_key = factory.Sequence(lambda n: f"session-{n:08d}")


class CartLineFactory(DjangoModelFactory):
    class Meta:
        model = "orders.CartLine"

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    price_when_added = factory.LazyAttribute(lambda line: line.product.price)


def _visit_started_at():
    from django.utils import timezone

    return timezone.now()


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = customers.Visit

    started_at = factory.LazyFunction(_visit_started_at)
    landing_page = "/"
    channel = customers.Visit.Channel.DIRECT
    device = customers.Visit.Device.MOBILE


class OrderFactory(DjangoModelFactory):
    """A placed order as the checkout leaves it: new, unclaimed, numbered. Lines are not
    taken off stock; tests of stock place orders through orders.services.order_place."""

    class Meta:
        model = "orders.Order"
        skip_postgeneration_save = True

    name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+7916{n:07d}")
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    delivery_method = factory.SubFactory(DeliveryMethodFactory)
    address = "Москва, ул. Тверская, 1"
    payment_method = "cash_on_delivery"
    items_total = Decimal("1000.00")
    delivery_price = Decimal("300.00")
    total_to_pay = Decimal("1300.00")

    @factory.post_generation
    def numbered(order, create, extracted, **kwargs):
        if create and not order.number:
            order.number = order.number_for(order.pk)
            order.save(update_fields=["number"])


def staff_user(role: str, **fields):
    """A staff account in one of the role groups of customers/roles.py."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user
