from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.account.selectors import order_tracking
from orders.models import Cart, CartLine, DeliveryMethod, Order, OrderLine, OrderStatusChange, PickupPoint
from orders.selectors import delivery_methods_active, pickup_points_active
from orders.services import quantity_parse


@extend_schema_field(OpenApiTypes.INT)
class QuantityField(serializers.Field):
    """A quantity exactly as the client sent it, checked by the cart's own rule: a whole
    number from 1, so 1.5, "1e3", true and 0 get the same clear message as on the site."""

    def to_internal_value(self, data) -> int:
        try:
            return quantity_parse(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["quantity"]) from error

    def to_representation(self, value) -> int:
        return value


class CartItemAddSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, help_text="The product's id.")
    variant = serializers.IntegerField(min_value=1, allow_null=True, required=False, default=None,
                                       help_text="The variant's id, when the product has variants.")
    quantity = QuantityField(help_text="How many to add on top of what the cart holds (a whole number from 1).")


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = QuantityField(help_text="The new quantity of the line (a whole number from 1).")


class CartProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    sku = serializers.CharField()


class CartVariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()


class CartLineSerializer(serializers.ModelSerializer):
    product = CartProductSerializer(read_only=True)
    variant = CartVariantSerializer(read_only=True, allow_null=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True,
                                          help_text="Today's price: the cart always sells at it.")
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    price_changed = serializers.BooleanField(read_only=True,
                                             help_text="The price is not the one shown when the item was added.")

    class Meta:
        model = CartLine
        fields = ("id", "product", "variant", "quantity", "unit_price", "price_when_added", "price_changed",
                  "line_total")


class CartSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    lines = CartLineSerializer(many=True)
    count = serializers.IntegerField(help_text="Items in the cart, counting quantities.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="The goods at today's prices.")

    @staticmethod
    def data_for(cart: Cart | None, lines: list[CartLine]) -> dict:
        return {
            "id": cart.pk if cart is not None else None,
            "lines": lines,
            "count": sum(line.quantity for line in lines),
            "total": sum((line.line_total for line in lines), start=0),
        }


class PickupPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = PickupPoint
        fields = ("id", "delivery_method", "name", "city", "address", "opening_hours")


class DeliveryMethodSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryMethod
        fields = ("id", "kind", "name", "description", "price", "free_from", "days_min", "days_max")


class CheckoutSerializer(serializers.Serializer):
    """What checkout asks for. The rules (phone format, what each delivery needs, promo code,
    points limits, stock) are the shop's services'; their refusals come back per field."""

    name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=40, help_text="Any common format; stored as +79161234567.")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    delivery_method = serializers.PrimaryKeyRelatedField(queryset=DeliveryMethod.objects.none())
    pickup_point = serializers.PrimaryKeyRelatedField(queryset=PickupPoint.objects.none(), required=False,
                                                      allow_null=True, default=None)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None,
                                 help_text="Preferred courier delivery date.")
    time_window = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    payment = serializers.ChoiceField(choices=Order.PaymentMethod.choices)
    promo_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(min_value=0, required=False, default=0,
                                      help_text="Bonus points to pay with (signed-in customers).")
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    consent_personal_data = serializers.BooleanField(
        help_text="Consent to the processing of personal data: required to order."
    )
    consent_marketing_email = serializers.BooleanField(required=False, default=False)
    consent_marketing_sms = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_method"].queryset = delivery_methods_active()
        self.fields["pickup_point"].queryset = pickup_points_active()

    def validate_consent_personal_data(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("We cannot take the order without your consent to process personal data.")
            )
        return value


class QuoteRequestSerializer(serializers.Serializer):
    """What the price depends on: everything is optional, so an app can ask as the shopper goes."""

    delivery_method = serializers.PrimaryKeyRelatedField(
        queryset=DeliveryMethod.objects.none(), required=False, allow_null=True, default=None,
        help_text="Without it the quote leaves delivery out (\"delivery\": null).",
    )
    promo_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(min_value=0, required=False, default=0,
                                      help_text="Bonus points to pay with (signed-in customers).")
    email = serializers.EmailField(required=False, allow_blank=True, default="",
                                   help_text="For promo codes limited per customer.")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                  help_text="For promo codes limited per customer.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_method"].queryset = delivery_methods_active()


class QuoteSerializer(serializers.Serializer):
    """The amounts checkout will place the order at, computed by the same function."""

    goods = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="The goods at today's prices.")
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    promo_code = serializers.CharField(source="promo.code", allow_null=True, default=None,
                                       help_text="The code applied; null when none is.")
    delivery = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                        help_text="null until a delivery method is chosen.")
    points = serializers.IntegerField(help_text="Points paying for the order.")
    points_max = serializers.IntegerField(help_text="The most points that may pay for these goods.")
    total_to_pay = serializers.DecimalField(source="total", max_digits=12, decimal_places=2,
                                            help_text="What the order is placed at when is_final is true.")
    is_final = serializers.BooleanField(help_text="A delivery method is chosen and nothing was refused.")
    errors = serializers.SerializerMethodField(
        help_text='Why a promo code or points were left out: {"promo_code": ["…"], "points": ["…"]}.'
    )

    def get_errors(self, quote) -> dict[str, list[str]]:
        return {name: [message for error in errors for message in error.messages]
                for name, errors in quote.errors.items()}


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ("product", "variant", "product_name", "variant_name", "sku", "unit_price", "quantity",
                  "line_total")


class OrderStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderStatusChange
        fields = ("from_status", "to_status", "created_at")


class OrderSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Order
        fields = ("number", "created_at", "status", "status_label", "payment_method", "payment_status",
                  "items_total", "delivery_price", "discount_total", "points_spent", "total_to_pay")


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    history = OrderStatusChangeSerializer(many=True, read_only=True)
    tracking_number = serializers.SerializerMethodField(
        help_text="Set once the parcel has left the warehouse; null before."
    )

    class Meta(OrderSerializer.Meta):
        fields = (*OrderSerializer.Meta.fields, "name", "phone", "email", "delivery_method", "pickup_point",
                  "address", "postcode", "delivery_date", "delivery_time_window", "comment", "tracking_number",
                  "lines", "history")

    def get_tracking_number(self, order: Order) -> str | None:
        tracking = order_tracking(order)
        return tracking["number"] if tracking else None
