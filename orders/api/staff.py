"""The staff API: the order desk for scripts and apps. Token authentication (a session works
too, for the browsable API); the same role rules as the admin (orders.backoffice.access)."""

import contextlib

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.backoffice.access import can_change_order, can_claim, can_move_order, next_statuses_for
from orders.backoffice.selectors import order_is_late
from orders.models import CallLog, DeliveryMethod, Order, OrderLine
from orders.services import IllegalTransition, OrderAlreadyClaimed, order_claim, phone_normalize
from orders.services.backoffice import call_log_record, order_move


class IsStaffWithOrders(permissions.BasePermission):
    """Signed-in staff whose role can at least see orders."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm("orders.view_order"))


class StaffApi:
    permission_classes = [IsStaffWithOrders]


# --- Serializers -----------------------------------------------------------------------


class StaffManagerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class StaffOrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ("product", "variant", "sku", "product_name", "variant_name", "unit_price", "quantity", "line_total")


class StaffDeliveryMethodSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryMethod
        fields = ("id", "name", "kind")


class StaffOrderSerializer(serializers.ModelSerializer):
    manager = StaffManagerSerializer(allow_null=True)
    delivery_method = StaffDeliveryMethodSerializer()
    pickup_point = serializers.StringRelatedField(allow_null=True)
    lines = StaffOrderLineSerializer(many=True)
    late = serializers.SerializerMethodField(help_text="Past the first-call target.")
    next_statuses = serializers.SerializerMethodField(help_text="Statuses this user may move the order to now.")

    class Meta:
        model = Order
        fields = ("number", "status", "created_at", "claimed_at", "first_call_at", "late", "manager", "name",
                  "phone", "email", "delivery_method", "pickup_point", "address", "postcode", "delivery_date",
                  "delivery_time_window", "tracking_number", "payment_method", "payment_status", "items_total",
                  "discount_total", "delivery_price", "points_spent", "total_to_pay", "channel", "comment", "lines",
                  "next_statuses")

    def get_late(self, order) -> bool:
        return order_is_late(order)

    def get_next_statuses(self, order) -> list[str]:
        return next_statuses_for(self.context["request"].user, order)


class StaffTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Order.Status.choices)
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                   help_text="Required to cancel.")


class StaffCallSerializer(serializers.ModelSerializer):
    manager = StaffManagerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CallLog
        fields = ("id", "outcome", "call_back_at", "comment", "manager", "created_at")
        read_only_fields = ("id", "manager", "created_at")


class StaffConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    manager = serializers.CharField(help_text="Who holds the order, when another manager took it.")


# --- Filters -----------------------------------------------------------------------------


class StaffOrderFilter(django_filters.FilterSet):
    """The admin's filters: status, manager ("me", "none" or an id), channel, delivery method,
    payment, date; `q` searches the number, phone and e-mail."""

    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices)
    manager = django_filters.CharFilter(method="filter_manager")
    channel = django_filters.ChoiceFilter(choices=Order.Channel.choices)
    delivery_method = django_filters.NumberFilter(field_name="delivery_method_id")
    delivery_kind = django_filters.ChoiceFilter(field_name="delivery_method__kind",
                                                choices=DeliveryMethod.Kind.choices)
    payment_method = django_filters.ChoiceFilter(choices=Order.PaymentMethod.choices)
    payment_status = django_filters.ChoiceFilter(choices=Order.PaymentStatus.choices)
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    unclaimed = django_filters.BooleanFilter(method="filter_unclaimed")
    q = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Order
        fields = ()

    def filter_manager(self, queryset, name, value):
        if value == "me":
            return queryset.filter(manager=self.request.user)
        if value == "none":
            return queryset.filter(manager__isnull=True)
        return queryset.filter(manager_id=value) if value.isdigit() else queryset.none()

    def filter_unclaimed(self, queryset, name, value):
        unclaimed = Q(status=Order.Status.NEW, manager__isnull=True)
        return queryset.filter(unclaimed) if value else queryset.exclude(unclaimed)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        found = Q(number__iexact=value) | Q(email__iexact=value) | Q(phone=value)
        with contextlib.suppress(DjangoValidationError):
            found |= Q(phone=phone_normalize(value))
        return queryset.filter(found)


# --- Views -------------------------------------------------------------------------------


def _order(number: str) -> Order:
    return get_object_or_404(Order.objects.select_related("manager", "delivery_method", "pickup_point"),
                             number=number)


def _conflict(error: DjangoValidationError, *, manager: str = "") -> Response:
    return Response({"detail": error.messages[0], "manager": manager}, status=status.HTTP_409_CONFLICT)


def _order_data(request, order: Order) -> dict:
    order = Order.objects.select_related("manager", "delivery_method", "pickup_point").prefetch_related(
        "lines").get(pk=order.pk)
    return StaffOrderSerializer(order, context={"request": request}).data


class StaffOrderListApi(StaffApi, generics.ListAPIView):
    """Orders, newest first (unclaimed ones oldest first with `unclaimed=true`)."""

    serializer_class = StaffOrderSerializer
    filterset_class = StaffOrderFilter

    def get_queryset(self):
        queryset = (Order.objects.exclude(number=None)
                    .select_related("manager", "delivery_method", "pickup_point").prefetch_related("lines"))
        if self.request.query_params.get("unclaimed") in ("true", "1", "True"):
            return queryset.order_by("created_at", "id")
        return queryset.order_by("-created_at", "-id")

    def filter_queryset(self, queryset):
        from django_filters.rest_framework import DjangoFilterBackend

        return DjangoFilterBackend().filter_queryset(self.request, queryset, self)


class StaffOrderDetailApi(StaffApi, APIView):
    @extend_schema(responses=StaffOrderSerializer)
    def get(self, request, number: str):
        return Response(_order_data(request, _order(number)))


class StaffOrderClaimApi(StaffApi, APIView):
    """“I'll take it”: 200 with the order for the one who got it, 409 naming who holds it."""

    @extend_schema(request=None, responses={200: StaffOrderSerializer, 409: StaffConflictSerializer})
    def post(self, request, number: str):
        if not can_claim(request.user):
            raise PermissionDenied(_("Your role does not take orders."))
        order = _order(number)
        try:
            order = order_claim(order=order, manager=request.user)
        except OrderAlreadyClaimed as error:
            return _conflict(error, manager=error.holder_name)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(_order_data(request, order))


class StaffOrderTransitionApi(StaffApi, APIView):
    """Move an order to a legal next status: 400 when something the step needs is missing,
    409 when the order's status does not allow the move, 403 when the role or ownership does not."""

    @extend_schema(request=StaffTransitionSerializer,
                   responses={200: StaffOrderSerializer, 400: OpenApiResponse(), 409: StaffConflictSerializer})
    def post(self, request, number: str):
        serializer = StaffTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = _order(number)
        to_status = serializer.validated_data["to_status"]
        if not can_move_order(request.user, order, to_status):
            raise PermissionDenied(_("You may not move this order."))
        try:
            order = order_move(order=order, to_status=to_status, by=request.user,
                               tracking_number=serializer.validated_data["tracking_number"],
                               reason=serializer.validated_data["reason"])
        except OrderAlreadyClaimed as error:
            return _conflict(error, manager=error.holder_name)
        except IllegalTransition as error:
            return _conflict(error)
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            return Response(detail, status=status.HTTP_400_BAD_REQUEST)
        return Response(_order_data(request, order))


class StaffOrderCallsApi(StaffApi, APIView):
    """The order's call log; POST logs a call (the first one stamps the order's first_call_at)."""

    @extend_schema(responses=StaffCallSerializer(many=True))
    def get(self, request, number: str):
        calls = CallLog.objects.filter(order=_order(number)).select_related("manager")
        return Response(StaffCallSerializer(calls, many=True).data)

    @extend_schema(request=StaffCallSerializer, responses={201: StaffCallSerializer})
    def post(self, request, number: str):
        order = _order(number)
        if not can_change_order(request.user, order):
            raise PermissionDenied(_("Only the order's manager or a supervisor logs calls on it."))
        serializer = StaffCallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = call_log_record(order=order, manager=request.user, **serializer.validated_data)
        return Response(StaffCallSerializer(call).data, status=status.HTTP_201_CREATED)
