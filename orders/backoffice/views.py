"""Back-office views, mounted inside the admin by OrderAdmin.get_urls (so admin_view guards
them: signed-in staff only). Each checks the role rule it needs and calls one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product, ProductVariant
from orders.backoffice.access import can_change_order, can_claim, can_move_order
from orders.backoffice.forms import CallForm, NoteForm, TransitionForm
from orders.backoffice.selectors import orders_unclaimed
from orders.models import Order
from orders.services import IllegalTransition, OrderAlreadyClaimed, order_claim
from orders.services.backoffice import (
    EDITABLE_STATUSES,
    LineChange,
    call_log_record,
    customer_note_add,
    order_move,
    order_update_lines,
)

BANNER_LIMIT = 5


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@require_GET
def banner(request: HttpRequest) -> HttpResponse:
    """New orders nobody has taken, polled every few seconds by static/js/backoffice.js.
    JSON for scripts and tests (?format=json), an HTML fragment for the admin page."""
    if not can_claim(request.user):
        raise PermissionDenied
    unclaimed = orders_unclaimed()
    count = unclaimed.count()
    shown = list(unclaimed[:BANNER_LIMIT]) if count else []
    now = timezone.now()
    if _wants_json(request):
        return JsonResponse({
            "count": count,
            "orders": [{
                "id": order.pk,
                "number": order.number,
                "total": str(order.total_to_pay),
                "delivery": order.delivery_method.name,
                "delivery_kind": order.delivery_method.kind,
                "created_at": order.created_at.isoformat(),
                "waiting_seconds": int((now - order.created_at).total_seconds()),
                "claim_url": reverse("admin:orders_order_claim", args=[order.pk]),
            } for order in shown],
        })
    response = TemplateResponse(request, "orders/backoffice/banner.html", {
        "orders": shown, "count": count, "more": count - len(shown), "now": now,
    })
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def claim(request: HttpRequest, object_id: str) -> HttpResponse:
    """“I'll take it”. The winner goes to the order; the others learn who was quicker."""
    if not can_claim(request.user):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=object_id)
    change_url = reverse("admin:orders_order_change", args=[order.pk])
    try:
        order = order_claim(order=order, manager=request.user)
    except OrderAlreadyClaimed as error:
        if _wants_json(request):
            return JsonResponse({"claimed": False, "manager": error.holder_name, "detail": error.messages[0]},
                                status=409)
        messages.error(request, error.messages[0])
        return redirect(_safe_next(request, reverse("admin:orders_order_changelist")))
    except IllegalTransition as error:
        if _wants_json(request):
            return JsonResponse({"claimed": False, "manager": "", "detail": error.messages[0]}, status=409)
        messages.error(request, error.messages[0])
        return redirect(_safe_next(request, change_url))
    if _wants_json(request):
        return JsonResponse({"claimed": True, "number": order.number, "url": change_url})
    return redirect(change_url)


def unclaimed(request: HttpRequest) -> HttpResponse:
    """The queue of orders nobody has taken, oldest first (the order list, filtered)."""
    return redirect(reverse("admin:orders_order_changelist") + "?queue=unclaimed")


def picking_list(request: HttpRequest, model_admin) -> HttpResponse:
    """Confirmed orders waiting to be picked: each order's lines, and the totals per product."""
    if not request.user.has_perm("orders.ship_orders"):
        raise PermissionDenied
    orders = list(
        Order.objects.filter(status=Order.Status.CONFIRMED)
        .select_related("delivery_method", "pickup_point")
        .prefetch_related("lines")
        .order_by("created_at", "id")
    )
    totals: dict[tuple, dict] = {}
    for order in orders:
        for line in order.lines.all():
            key = (line.product_id, line.variant_id)
            row = totals.setdefault(key, {"sku": line.sku, "name": str(line).rsplit(" × ", 1)[0], "quantity": 0,
                                          "orders": []})
            row["quantity"] += line.quantity
            row["orders"].append(order.number)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Picking list"),
        "orders": orders,
        "products": sorted(totals.values(), key=lambda row: row["sku"]),
    }
    return TemplateResponse(request, "orders/backoffice/picking_list.html", context)


def packing_slips(request: HttpRequest, model_admin) -> HttpResponse:
    """Printable packing slips for the orders in ?ids=1,2,3 (or one order's id)."""
    if not (request.user.has_perm("orders.ship_orders") or request.user.has_perm("orders.change_order")):
        raise PermissionDenied
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.strip().isdigit()]
    orders = list(
        Order.objects.filter(pk__in=ids)
        .select_related("delivery_method", "pickup_point")
        .prefetch_related("lines")
        .order_by("created_at", "id")
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Packing slips"),
        "orders": orders,
    }
    return TemplateResponse(request, "orders/backoffice/packing_slips.html", context)


def _change_url(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@require_POST
def transition(request: HttpRequest, object_id: str) -> HttpResponse:
    """A status button on the order page: only legal next statuses, with what each needs."""
    order = get_object_or_404(Order, pk=object_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(_change_url(order))
    to_status = form.cleaned_data["to_status"]
    if not can_move_order(request.user, order, to_status):
        raise PermissionDenied
    try:
        order = order_move(order=order, to_status=to_status, by=request.user,
                           tracking_number=form.cleaned_data["tracking_number"], reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Order %(number)s is now “%(status)s”.") % {
            "number": order.number, "status": order.get_status_display()})
    return redirect(_change_url(order))


@require_POST
def calls(request: HttpRequest, object_id: str) -> HttpResponse:
    order = get_object_or_404(Order, pk=object_id)
    if not can_change_order(request.user, order):
        raise PermissionDenied
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            call_log_record(order=order, manager=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("The call is logged."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_change_url(order))


@require_POST
def notes(request: HttpRequest, object_id: str) -> HttpResponse:
    order = get_object_or_404(Order, pk=object_id)
    if not (can_change_order(request.user, order) and request.user.has_perm("orders.add_customernote")):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if form.is_valid():
        customer_note_add(order=order, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("The note is saved."))
    return redirect(_change_url(order))


def _line_key(name: str) -> tuple[int, int | None] | None:
    try:
        _prefix, product_id, variant_id = name.split("-")
        return int(product_id), (int(variant_id) or None)
    except ValueError:
        return None


def lines(request: HttpRequest, object_id: str, model_admin) -> HttpResponse:
    """Change the goods of a claimed order: quantities, removals, a product added by SKU."""
    order = get_object_or_404(Order, pk=object_id)
    if not can_change_order(request.user, order):
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        changes = []
        for name, value in request.POST.items():
            key = _line_key(name) if name.startswith("quantity-") else None
            if key is None:
                continue
            try:
                changes.append(LineChange(key[0], key[1], int(value or 0)))
            except ValueError:
                errors.append(_("A quantity must be a whole number, 0 or more."))
        sku = request.POST.get("add_sku", "").strip()
        if sku:
            found = _product_by_sku(sku)
            try:
                add_quantity = int(request.POST.get("add_quantity") or 1)
            except ValueError:
                add_quantity = 0
            if found is None:
                errors.append(_("No product with SKU %(sku)s.") % {"sku": sku})
            elif add_quantity <= 0:
                errors.append(_("A quantity must be a whole number, 0 or more."))
            else:
                changes.append(LineChange(found[0], found[1], add_quantity))
        if not errors:
            try:
                order_update_lines(order=order, lines=_merge_additions(order, changes), by=request.user)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, _("The goods of order %(number)s are changed.") % {"number": order.number})
                return redirect(_change_url(order))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Goods of order %(number)s") % {"number": order.number},
        "original": order,
        "order_lines": list(order.lines.all()),
        "errors": errors,
        "editable": order.status in EDITABLE_STATUSES,
    }
    return TemplateResponse(request, "orders/backoffice/order_lines.html", context)


def _product_by_sku(sku: str) -> tuple[int, int | None] | None:
    variant = ProductVariant.objects.filter(sku__iexact=sku).values_list("product_id", "pk").first()
    if variant:
        return variant[0], variant[1]
    product = Product.objects.filter(sku__iexact=sku).values_list("pk", flat=True).first()
    return (product, None) if product else None


def _merge_additions(order: Order, changes: list[LineChange]) -> list[LineChange]:
    """The form lists each current line once; an added SKU that is already in the order adds to it."""
    merged: dict[tuple[int, int | None], int] = {}
    listed = set()
    for change in changes:
        key = (change.product_id, change.variant_id)
        if key in merged and key in listed:
            merged[key] += change.quantity
        else:
            merged[key] = change.quantity
        listed.add(key)
    return [LineChange(product_id, variant_id, quantity) for (product_id, variant_id), quantity in merged.items()]
