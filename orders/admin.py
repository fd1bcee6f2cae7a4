from django.contrib import admin
from django.urls import path

from orders.backoffice import views as backoffice_views
from orders.models import (
    DeliveryMethod,
    Order,
    OrderLine,
    OrderStatusChange,
    PickupPoint,
    PromoCode,
    PromoCodeUse,
)


class PickupPointInline(admin.TabularInline):
    model = PickupPoint
    extra = 0


@admin.register(DeliveryMethod)
class DeliveryMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "price", "free_from", "days_min", "days_max", "is_active", "position")
    list_editable = ("is_active", "position")
    list_filter = ("kind", "is_active")
    inlines = [PickupPointInline]


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "address", "opening_hours", "delivery_method", "is_active")
    list_filter = ("delivery_method", "is_active", "city")
    search_fields = ("name", "address", "city")


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "value", "min_total", "valid_from", "valid_until", "used_count", "usage_limit",
                    "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code",)
    readonly_fields = ("used_count",)


@admin.register(PromoCodeUse)
class PromoCodeUseAdmin(admin.ModelAdmin):
    list_display = ("promo_code", "order", "user", "email", "phone", "created_at")
    list_select_related = ("promo_code", "order", "user")
    raw_id_fields = ("promo_code", "order", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ("product_name", "variant_name", "sku", "unit_price", "quantity", "line_total")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    fields = ("created_at", "from_status", "to_status", "changed_by", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-mostly until the order desk is built on the services: status changes, stock and
    points must go through orders.services.order_transition, never a bare save."""

    list_display = ("number", "created_at", "status", "name", "phone", "total_to_pay", "payment_method",
                    "payment_status", "channel", "manager")
    list_filter = ("status", "payment_method", "payment_status", "delivery_method", "channel")
    search_fields = ("number", "name", "phone", "email")
    date_hierarchy = "created_at"
    list_select_related = ("manager",)
    inlines = [OrderLineInline, OrderStatusChangeInline]
    readonly_fields = ("number", "status", "user", "manager", "items_total", "delivery_price", "discount_total",
                       "points_spent", "total_to_pay", "promo_code", "payment_status", "visit", "channel",
                       "utm_source", "utm_medium", "utm_campaign", "created_at", "updated_at")
    raw_id_fields = ("pickup_point",)

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("banner/", wrap(backoffice_views.banner), name="orders_order_banner"),
            path("unclaimed/", wrap(backoffice_views.unclaimed), name="orders_order_unclaimed"),
            path("picking/", wrap(lambda request: backoffice_views.picking_list(request, self)),
                 name="orders_order_picking"),
            path("packing-slips/", wrap(lambda request: backoffice_views.packing_slips(request, self)),
                 name="orders_order_packing_slips"),
            path("<path:object_id>/claim/", wrap(backoffice_views.claim), name="orders_order_claim"),
            *super().get_urls(),
        ]
