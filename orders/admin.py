from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.money import format_rubles
from orders.admin_phone import phone_order_urls
from orders.backoffice import views as backoffice_views
from orders.backoffice.access import can_change_order, can_claim, next_statuses_for
from orders.backoffice.card import customer_card
from orders.backoffice.forms import CallForm, NoteForm, OrderDetailsForm
from orders.backoffice.selectors import first_call_target, order_is_late
from orders.models import (
    CallLog,
    CustomerNote,
    DeliveryMethod,
    Order,
    OrderEdit,
    OrderLine,
    OrderStatusChange,
    Payment,
    PickupPoint,
    PromoCode,
    PromoCodeUse,
    Refund,
)
from orders.services.backoffice import DETAIL_FIELDS, EDITABLE_STATUSES, order_update_details, orders_move
from orders.services.contact import phone_normalize


class PickupPointInline(admin.TabularInline):
    model = PickupPoint
    extra = 0


@admin.register(DeliveryMethod)
class DeliveryMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "carrier", "price", "free_from", "days_min", "days_max", "is_active", "position")
    list_editable = ("is_active", "position")
    list_filter = ("kind", "is_active")
    inlines = [PickupPointInline]


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "address", "opening_hours", "delivery_method", "code", "is_active")
    list_filter = ("delivery_method", "is_active", "city")
    search_fields = ("name", "address", "city", "code")


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
    fields = ("sku", "product_name", "variant_name", "unit_price", "quantity", "line_total")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    """Online payments of the order and what went back of each, for the manager who is asked
    "where is my money"; refunds are made by the shop's rules (orders.payments.refunds), not by hand."""

    model = Payment
    extra = 0
    fields = ("created_at", "provider", "external_id", "amount", "status", "refunds_made")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("refunds"))
    def refunds_made(self, payment: Payment) -> str:
        return "; ".join(
            f"{format_rubles(refund.amount)} · {refund.get_status_display()} · {refund.get_reason_display()}"
            + (f" · {refund.error}" if refund.status == Refund.Status.FAILED else "")
            for refund in payment.refunds.all()
        ) or "—"


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    fields = ("created_at", "from_status", "to_status", "changed_by", "comment")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderEditInline(admin.TabularInline):
    model = OrderEdit
    extra = 0
    fields = ("created_at", "description", "changed_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QueueFilter(admin.SimpleListFilter):
    """The manager's everyday views of the list."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("unclaimed", _("Unclaimed, oldest first")),
            ("mine", _("My open orders")),
            ("late", _("Past the first-call target")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unclaimed":
            return queryset.filter(status=Order.Status.NEW, manager__isnull=True)
        if value == "mine":
            return queryset.filter(manager=request.user, status__in=Order.OPEN_STATUSES)
        if value == "late":
            late = Q(first_call_at__isnull=False, first_call_at__gt=_plus_target("created_at"))
            never_called = Q(first_call_at__isnull=True, status__in=Order.OPEN_STATUSES,
                             created_at__lt=timezone.now() - first_call_target())
            return queryset.filter(late | never_called)
        return queryset


def _plus_target(field_name: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(field_name) + first_call_target(), output_field=DateTimeField())


def _age(delta: timedelta) -> str:
    """How long ago an order came, as a manager says it: "12 min", "3 h 05 min", "2 d"."""
    minutes = max(int(delta.total_seconds()) // 60, 0)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    if minutes < 24 * 60:
        return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}
    return _("%(days)d d") % {"days": minutes // (24 * 60)}


def _duration(delta: timedelta | None) -> str:
    if delta is None:
        return "—"
    seconds = max(int(delta.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class ShipForm(forms.Form):
    """The warehouse's bulk "shipped": one tracking number per order."""

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = orders
        for order in orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(
                label=order.number, max_length=64, initial=order.tracking_number
            )

    def tracking_numbers(self) -> dict[int, str]:
        return {order.pk: self.cleaned_data[f"tracking_{order.pk}"] for order in self.orders}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """The order desk. Nothing here writes an order directly: status moves, goods, delivery
    and calls go through orders.services (backoffice, claim, status), and who may act is
    decided by orders.backoffice.access, the same rules as the staff API."""

    form = OrderDetailsForm
    change_form_template = "admin/orders/order/change_form.html"
    object_history_template = "admin/orders/order/object_history.html"
    # The queue a manager works from: everything it needs fits a 1,366 px screen without
    # scrolling sideways (payment, channel and the rest are a click away, on the order page).
    list_display = ("number", "age", "to_pay", "customer", "delivery", "status", "manager",
                    "time_to_claim", "time_to_first_call")
    list_filter = (QueueFilter, "status", ("manager", admin.RelatedOnlyFieldListFilter), "channel",
                   "delivery_method", "payment_method", "payment_status", "created_at")
    search_fields = ("number", "name", "phone", "email")
    date_hierarchy = "created_at"
    list_select_related = ("manager", "delivery_method")
    list_per_page = 50
    inlines = [OrderLineInline, PaymentInline, OrderStatusChangeInline, OrderEditInline]
    actions = ["mark_packed", "mark_shipped", "print_packing_slips"]
    fieldsets = (
        (_("Contact"), {"fields": ("name", "phone", "email", "comment")}),
        (_("Delivery"), {"fields": ("delivery_method", "pickup_point", "address", "postcode", "delivery_date",
                                    "delivery_time_window", "tracking_number")}),
        (_("Payment and totals"), {"fields": ("payment_method", "payment_status", "items_total", "discount_total",
                                              "delivery_price", "points_spent", "total_to_pay", "promo_code")}),
        (_("Work"), {"fields": ("number", "status", "manager", "created_at", "claimed_at", "first_call_at")}),
        (_("Source"), {"classes": ("collapse",), "fields": ("user", "channel", "utm_source", "utm_medium",
                                                           "utm_campaign", "visit")}),
    )
    raw_id_fields = ("pickup_point",)

    # --- who sees and changes what -----------------------------------------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # An order is a record: it is cancelled, never deleted.
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_change_order(request.user, obj)

    def has_ship_permission(self, request):
        return request.user.has_perm("orders.ship_orders")

    def get_readonly_fields(self, request, obj=None):
        editable = set(DETAIL_FIELDS) if obj is not None and obj.status in EDITABLE_STATUSES else set()
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"] if name not in editable]

    def get_ordering(self, request):
        if request.GET.get("queue") == "unclaimed":
            return ("created_at", "id")
        return super().get_ordering(request)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if sum(character.isdigit() for character in term) >= 10:
            try:
                phone = phone_normalize(term)
            except ValidationError:
                return results, may_have_duplicates
            results |= queryset.filter(phone=phone)
        return results, may_have_duplicates

    # --- the list ------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        # The header's links lead to the rest of the admin; the room goes to the queue's columns.
        return super().changelist_view(request, {
            "is_nav_sidebar_enabled": False, "title": capfirst(self.opts.verbose_name_plural), **(extra_context or {}),
        })

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, order):
        placed = timezone.localtime(order.created_at)
        return format_html('<time datetime="{}" title="{}">{}</time>', placed.isoformat(),
                           date_format(placed, "SHORT_DATETIME_FORMAT"), _age(timezone.now() - placed))

    @admin.display(description=_("to pay"), ordering="total_to_pay")
    def to_pay(self, order):
        return format_rubles(order.total_to_pay, kopecks=True)

    @admin.display(description=_("customer"), ordering="name")
    def customer(self, order):
        return format_html('{}<br><span class="bo-muted">{}</span>', order.name, order.phone)

    @admin.display(description=_("delivery"), ordering="delivery_method__name")
    def delivery(self, order):
        return order.delivery_method.name

    @admin.display(description=_("to claim"), ordering="claimed_at")
    def time_to_claim(self, order):
        end = order.claimed_at or (timezone.now() if order.status == Order.Status.NEW else None)
        if end is None:
            return "—"
        # Taken after the first-call target has passed: the call cannot have been on time either.
        late = end - order.created_at > first_call_target()
        return format_html('<span class="bo-cell-label">{}:</span> <span class="{}">{}</span>', _("to claim"),
                           "bo-late" if late else "bo-ok", _duration(end - order.created_at))

    @admin.display(description=_("to first call"), ordering="first_call_at")
    def time_to_first_call(self, order):
        if order.first_call_at is None and not order.is_open:
            return "—"
        end = order.first_call_at or timezone.now()
        css = "bo-late" if order_is_late(order) else "bo-ok"
        label = _duration(end - order.created_at) if order.first_call_at else format_html(
            '{}<br><span class="bo-timer-note">{}</span>', _duration(end - order.created_at), _("(no call yet)"))
        return format_html('<span class="bo-cell-label">{}:</span> <span class="{}">{}</span>', _("to first call"),
                           css, label)

    # --- the order page ------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        """The "History" button shows the order's own history: its status moves with their comments
        and the managers' edits, by time. Django's admin log stays empty, as orders change through
        orders.services."""
        moves = OrderStatusChange.objects.filter(order_id=unquote(object_id)).select_related("changed_by")
        edits = OrderEdit.objects.filter(order_id=unquote(object_id)).select_related("changed_by")
        steps = sorted(
            [{"created_at": m.created_at, "changed_by": m.changed_by, "status": str(m), "comment": m.comment}
             for m in moves]
            + [{"created_at": e.created_at, "changed_by": e.changed_by, "status": "", "comment": e.description}
               for e in edits],
            key=lambda step: step["created_at"],
        )
        return super().history_view(request, object_id, {"steps": steps, **(extra_context or {})})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        order = self.get_object(request, object_id) if object_id else None
        if order is not None and self.has_view_or_change_permission(request, order):
            may_change = can_change_order(request.user, order)
            extra_context.update({
                "card": customer_card(order) if request.user.has_perm("customers.view_user") or may_change else None,
                "next_statuses": [(status, Order.Status(status).label) for status in
                                  next_statuses_for(request.user, order)],
                "may_claim": order.status == Order.Status.NEW and order.manager_id is None
                and can_claim(request.user),
                "may_change": may_change,
                "may_edit_lines": may_change and order.status in EDITABLE_STATUSES,
                "call_form": CallForm() if may_change else None,
                "note_form": NoteForm() if may_change and request.user.has_perm("orders.add_customernote") else None,
                "late": order_is_late(order),
                "target_minutes": int(first_call_target().total_seconds() // 60),
            })
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in DETAIL_FIELDS}
        if changes:
            order_update_details(order=Order.objects.get(pk=obj.pk), changes=changes, by=request.user)

    def save_related(self, request, form, formsets, change):
        # The inlines are read-only: goods change on their own page, through order_update_lines.
        pass

    def get_urls(self):
        wrap = self.admin_site.admin_view

        def with_admin(view):
            return wrap(lambda request, *args, **kwargs: view(request, *args, model_admin=self, **kwargs))

        return [
            *phone_order_urls(self),
            path("banner/", wrap(backoffice_views.banner), name="orders_order_banner"),
            path("unclaimed/", wrap(backoffice_views.unclaimed), name="orders_order_unclaimed"),
            path("picking/", with_admin(backoffice_views.picking_list), name="orders_order_picking"),
            path("packing-slips/", with_admin(backoffice_views.packing_slips), name="orders_order_packing_slips"),
            path("<path:object_id>/claim/", wrap(backoffice_views.claim), name="orders_order_claim"),
            path("<path:object_id>/transition/", wrap(backoffice_views.transition), name="orders_order_transition"),
            path("<path:object_id>/calls/", wrap(backoffice_views.calls), name="orders_order_calls"),
            path("<path:object_id>/notes/", wrap(backoffice_views.notes), name="orders_order_notes"),
            path("<path:object_id>/lines/", with_admin(backoffice_views.lines), name="orders_order_lines"),
            *super().get_urls(),
        ]

    # --- the warehouse's bulk actions ------------------------------------------------------

    def _report(self, request, moved, refused, status_label):
        if moved:
            self.message_user(request, ngettext(
                "%(count)d order is now “%(status)s”.", "%(count)d orders are now “%(status)s”.", len(moved),
            ) % {"count": len(moved), "status": status_label}, messages.SUCCESS)
        for number, reason in refused.items():
            self.message_user(request, f"{number}: {reason}", messages.ERROR)

    @admin.action(description=_("Mark packed"), permissions=["ship"])
    def mark_packed(self, request, queryset):
        moved, refused = orders_move(orders=list(queryset.order_by("id")), to_status=Order.Status.PACKED,
                                     by=request.user)
        self._report(request, moved, refused, Order.Status.PACKED.label)

    @admin.action(description=_("Mark shipped (asks for tracking numbers)"), permissions=["ship"])
    def mark_shipped(self, request, queryset):
        orders = list(queryset.order_by("id"))
        form = ShipForm(request.POST if "apply" in request.POST else None, orders=orders)
        if "apply" in request.POST and form.is_valid():
            moved, refused = orders_move(orders=orders, to_status=Order.Status.SHIPPED, by=request.user,
                                         tracking_numbers=form.tracking_numbers())
            self._report(request, moved, refused, Order.Status.SHIPPED.label)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Ship orders"),
            "form": form,
            "orders": orders,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "orders/backoffice/ship_orders.html", context)

    @admin.action(description=_("Print packing slips"), permissions=["view"])
    def print_packing_slips(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(reverse("admin:orders_order_packing_slips") + f"?ids={ids}")


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "order", "manager", "outcome", "call_back_at", "comment")
    list_filter = ("outcome", ("manager", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("order", "manager")
    search_fields = ("order__number", "order__phone", "comment")
    date_hierarchy = "created_at"
    readonly_fields = ("order", "manager", "outcome", "call_back_at", "comment", "created_at")

    def has_add_permission(self, request):
        return False  # calls are logged from the order page


@admin.register(CustomerNote)
class CustomerNoteAdmin(admin.ModelAdmin):
    list_display = ("created_at", "phone", "user", "text", "author", "order")
    list_select_related = ("user", "author", "order")
    search_fields = ("phone", "user__email", "text")
    raw_id_fields = ("user", "order")
    readonly_fields = ("author", "created_at")

    def has_add_permission(self, request):
        return False  # notes are written from the order page
