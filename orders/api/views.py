"""The shopper's API: cart, delivery options, checkout and their own orders. Every rule is the
services' (orders.services); these views only translate HTTP to calls and answers to JSON."""

import hashlib
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product, ProductVariant
from customers.models import Visit, VisitEvent
from customers.selectors import visit_id_for_request
from customers.services import points_balance, visit_event_record
from orders.account.selectors import order_get_for_customer, orders_for_customer
from orders.api.serializers import (
    CartItemAddSerializer,
    CartItemUpdateSerializer,
    CartSerializer,
    CheckoutSerializer,
    DeliveryMethodSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    PickupPointSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)
from orders.forms import CONSENT_WORDING_VERSION
from orders.models import Cart, CartLine, Order
from orders.selectors import cart_get, cart_lines, delivery_methods_active, pickup_points_active
from orders.services import (
    CheckoutConsents,
    Contact,
    Delivery,
    cart_add,
    cart_get_or_create,
    cart_line_remove,
    cart_line_set_quantity,
    cart_quote,
    order_place,
    phone_normalize,
)
from orders.services.cart import CART_SESSION_KEY

ERROR_RESPONSES = {
    400: OpenApiResponse(description='{"detail": "…", "errors": {"field": ["…"]}}'),
    404: OpenApiResponse(description='{"detail": "Not found."}'),
}


def _user(request):
    return request.user if request.user.is_authenticated else None


def _cart(request, *, create: bool) -> Cart | None:
    """The signed-in customer's cart, or the guest cart of this session (a session cookie is
    set on the first write, exactly as in the browser)."""
    user = _user(request)
    if user is not None:
        return cart_get_or_create(user=user) if create else cart_get(user=user)
    session = request.session
    if not session.session_key:
        if not create:
            return None
        session.save()
    if not create:
        return cart_get(user=None, session_key=session.session_key)
    cart = cart_get_or_create(session_key=session.session_key)
    session[CART_SESSION_KEY] = cart.pk  # followed into the account on sign-in
    return cart


def _cart_response(cart: Cart | None, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(CartSerializer(CartSerializer.data_for(cart, cart_lines(cart=cart))).data, status=status_code)


def _line(request, pk: int) -> CartLine:
    cart = _cart(request, create=False)
    line = CartLine.objects.select_related("cart", "product", "variant").filter(cart=cart, pk=pk).first()
    if cart is None or line is None:
        raise Http404
    return line


class CartApi(APIView):
    @extend_schema(responses={200: CartSerializer})
    def get(self, request):
        """The current cart: the signed-in customer's, or this session's."""
        return _cart_response(_cart(request, create=False))


class CartItemCreateApi(APIView):
    @extend_schema(request=CartItemAddSerializer, responses={201: CartSerializer, **ERROR_RESPONSES})
    def post(self, request):
        """Add a product (or one of its variants) to the cart. More than is in stock, a quantity
        that is not a whole number from 1, or a product no longer sold: 400 with the reason."""
        serializer = CartItemAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = Product.objects.active().filter(pk=data["product"]).first()
        if product is None:
            raise ValidationError({"product": [_("There is no such product.")]})
        variant = None
        if data["variant"] is not None:
            variant = ProductVariant.objects.filter(pk=data["variant"], product=product).first()
            if variant is None:
                raise ValidationError({"variant": [_("This product has no such variant.")]})
        cart = _cart(request, create=True)
        cart_add(cart=cart, product=product, variant=variant, quantity=data["quantity"])
        # A storefront calling the API sends the visit cookie with it; an app without one has no visit.
        visit_event_record(visit_id=visit_id_for_request(request), kind=VisitEvent.Kind.ADDED_TO_CART)
        return _cart_response(cart, status_code=status.HTTP_201_CREATED)


class CartItemApi(APIView):
    @extend_schema(request=CartItemUpdateSerializer, responses={200: CartSerializer, **ERROR_RESPONSES})
    def patch(self, request, pk: int):
        """Set the quantity of a cart line."""
        line = _line(request, pk)
        serializer = CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_line_set_quantity(line=line, quantity=serializer.validated_data["quantity"])
        return _cart_response(line.cart)

    @extend_schema(responses={200: CartSerializer, 404: ERROR_RESPONSES[404]})
    def delete(self, request, pk: int):
        """Remove a line from the cart."""
        line = _line(request, pk)
        cart = line.cart
        cart_line_remove(line=line)
        return _cart_response(cart)


class DeliveryMethodListApi(generics.ListAPIView):
    """Delivery methods offered at checkout, with their price rule and delivery time."""

    serializer_class = DeliveryMethodSerializer
    pagination_class = None

    def get_queryset(self):
        return delivery_methods_active()


@extend_schema(parameters=[
    OpenApiParameter("delivery_method", OpenApiTypes.INT, description="Only the points of this method."),
    OpenApiParameter("city", OpenApiTypes.STR),
])
class PickupPointListApi(generics.ListAPIView):
    """Pickup points and parcel lockers, with address and opening hours."""

    serializer_class = PickupPointSerializer
    pagination_class = None

    def get_queryset(self):
        points = pickup_points_active()
        method = self.request.query_params.get("delivery_method", "")
        if method:
            if not method.isdigit():
                raise ValidationError({"delivery_method": [_("A delivery method id is a whole number.")]})
            points = points.filter(delivery_method_id=int(method))
        if self.request.query_params.get("city"):
            points = points.filter(city__iexact=self.request.query_params["city"].strip())
        return points


def _idempotency_key(request, cart: Cart) -> str:
    """The order's idempotency key: the client's Idempotency-Key header, scoped to this cart so
    two clients choosing the same key never meet; without the header, a fresh one."""
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return uuid.uuid4().hex
    if len(raw) > 255:
        raise ValidationError({"Idempotency-Key": [_("At most 255 characters.")]})
    return hashlib.sha256(f"api:{cart.pk}:{raw}".encode()).hexdigest()


def _visit(request) -> Visit | None:
    visit_id = getattr(getattr(request, "site_activity", None), "visit_id", None)
    return Visit.objects.filter(pk=visit_id).first() if visit_id else None


class CheckoutQuoteApi(APIView):
    @extend_schema(request=QuoteRequestSerializer, responses={200: QuoteSerializer, **ERROR_RESPONSES})
    def post(self, request):
        """What the current cart costs with this delivery, promo code and points: the amount
        checkout will place the order at, computed by the same function. A promo code or points
        that cannot apply are left out and explained in "errors"; an empty cart is 400."""
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _user(request)
        try:
            phone = phone_normalize(data["phone"]) if data["phone"] else ""
        except DjangoValidationError:
            phone = ""  # only narrows a per-customer promo limit; checkout itself insists on a valid one
        quote = cart_quote(
            cart=_cart(request, create=False), delivery_method=data["delivery_method"],
            promo_code=data["promo_code"], points=data["points"], customer=user, email=data["email"].lower(),
            phone=phone, points_balance=points_balance(user=user) if user is not None else None,
        )
        return Response(QuoteSerializer(quote).data)


class CheckoutApi(APIView):
    @extend_schema(
        request=CheckoutSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
            description="Send the same key when retrying: the order is made once and every retry gets it back "
                        "(200 instead of 201).",
        )],
        responses={
            201: OrderDetailSerializer,
            200: OpenApiResponse(OrderDetailSerializer, description="A retry: the order this key already made."),
            409: OpenApiResponse(description='Out of stock: {"detail": "Only 2 of “…” left in stock.", '
                                             '"code": "out_of_stock"}'),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request):
        """Place an order from the current cart. All or nothing: on any refusal the cart stays
        as it was. 409 when an item ran out meanwhile; 400 with field errors otherwise."""
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cart = _cart(request, create=False)
        if cart is None:
            raise ValidationError({"cart": [_("Your cart is empty.")]})
        order, created = order_place(
            cart=cart,
            contact=Contact(name=data["name"], phone=data["phone"], email=data["email"]),
            delivery=Delivery(
                method=data["delivery_method"], pickup_point=data["pickup_point"], address=data["address"],
                postcode=data["postcode"], date=data["date"], time_window=data["time_window"],
            ),
            payment=data["payment"],
            idempotency_key=_idempotency_key(request, cart),
            promo_code=data["promo_code"] or None,
            points=data["points"],
            visit=_visit(request),
            comment=data["comment"],
            consents=CheckoutConsents(wording_version=CONSENT_WORDING_VERSION,
                                      marketing_email=data["consent_marketing_email"],
                                      marketing_sms=data["consent_marketing_sms"]),
        )
        return Response(OrderDetailSerializer(order).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OrderListApi(generics.ListAPIView):
    """The signed-in customer's own orders, newest first."""

    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return orders_for_customer(user=self.request.user)


class OrderDetailApi(generics.RetrieveAPIView):
    """One of the customer's own orders; any other number is 404."""

    serializer_class = OrderDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> Order:
        return order_get_for_customer(user=self.request.user, number=self.kwargs["number"])
