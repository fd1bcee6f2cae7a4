"""Back-office views, mounted inside the admin by OrderAdmin.get_urls (so admin_view guards
them: signed-in staff only). Each checks the role rule it needs and calls one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.backoffice.access import can_claim
from orders.backoffice.selectors import orders_unclaimed
from orders.models import Order
from orders.services import IllegalTransition, OrderAlreadyClaimed, order_claim

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
