"""The shopper's cart, checkout, order confirmation and online payment pages.

Every page works without JavaScript (a POST answered by a redirect); with htmx the cart
answers with the changed part of the page and the header's mini-cart. The rules live in
orders.services; these views find the shopper's cart, call a service and show its answer.
"""

import json
import logging
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Product, ProductVariant
from catalog.seo import ecommerce_facts, ecommerce_item, product_ecommerce_item
from core.counters import counters_settings
from core.csrf import cross_origin_protected
from customers.models import User, Visit, VisitEvent
from customers.selectors import visit_for_request, visit_id_for_request
from customers.services import InsufficientPoints, points_balance, visit_event_record
from orders.forms import CONSENT_WORDING_VERSION, CartAddForm, CheckoutForm, new_form_token
from orders.models import Cart, CartLine, Order, Payment
from orders.payments import (
    BadNotification,
    PaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
    UnknownProvider,
    online_payment_available,
    provider_get,
)
from orders.payments.services import order_payment_refresh, payment_notification_apply, payment_start
from orders.payments.test import SIGNATURE_HEADER, TestPaymentProvider
from orders.selectors import (
    CartTotals,
    cart_get,
    cart_lines,
    cart_totals,
    delivery_methods_active,
    order_for_shopper,
    pickup_points_active,
)
from orders.services import (
    CheckoutConsents,
    Quote,
    cart_add,
    cart_contact_update,
    cart_get_or_create,
    cart_line_remove,
    cart_line_set_quantity,
    cart_quote,
    order_place,
    phone_normalize,
    quantity_parse,
)
from orders.services.cart import CART_SESSION_KEY

logger = logging.getLogger(__name__)

# A browser holding a cart carries this cookie, so the storefront page cache
# (settings.PAGE_CACHE_BYPASS_COOKIES) serves it fresh pages with its own mini-cart.
CART_COOKIE = "cart"
PLACED_SESSION_KEY = "orders:placed"
PURCHASES_REPORTED_SESSION_KEY = "orders:purchases_reported"


# --- The shopper's cart ------------------------------------------------------------------


def _shopper(request) -> User | None:
    return request.user if request.user.is_authenticated else None


def _cart(request, *, create: bool = False) -> Cart | None:
    user = _shopper(request)
    if user is not None:
        return cart_get_or_create(user=user) if create else cart_get(user=user)
    if not create:
        return cart_get(user=None, session_key=request.session.session_key or "")
    if not request.session.session_key:
        request.session.create()
    cart = cart_get_or_create(session_key=request.session.session_key)
    request.session[CART_SESSION_KEY] = cart.pk
    return cart


def _cart_cookie_sync(request, response: HttpResponse, totals: CartTotals) -> HttpResponse:
    if totals.count:
        if request.COOKIES.get(CART_COOKIE) != "1":
            response.set_cookie(
                CART_COOKIE, "1", max_age=settings.SESSION_COOKIE_AGE, httponly=True, samesite="Lax",
                secure=request.is_secure(),
            )
    elif CART_COOKIE in request.COOKIES:
        response.delete_cookie(CART_COOKIE, samesite="Lax")
    return response


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _cart_context(cart: Cart | None, **extra) -> dict:
    lines = cart_lines(cart=cart)
    return {"cart": cart, "lines": lines, "totals": cart_totals(lines=lines), **extra}


def _cart_response(request, cart: Cart | None, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    context = _cart_context(cart)
    for line in context["lines"]:
        line.errors = (errors or {}).get(line.pk, [])
    template = "orders/_cart.html" if request.htmx else "orders/cart.html"
    response = render(request, template, context, status=status)
    return _cart_cookie_sync(request, response, context["totals"])


@require_GET
def cart_page(request):
    return _cart_response(request, _cart(request))


def _product_and_variant(form: CartAddForm) -> tuple[Product, ProductVariant | None]:
    product = get_object_or_404(Product.objects.active().select_related("brand", "category"),
                                pk=form.cleaned_data["product"])
    variant_id = form.cleaned_data.get("variant")
    if variant_id is None:
        return product, None
    variant = ProductVariant.objects.select_related("product").filter(pk=variant_id, product=product).first()
    if variant is None:
        raise ValidationError(_("This variant is not available."), code="invalid_variant")
    return product, variant


@cross_origin_protected  # the form is on the product page, which every shopper shares
@require_POST
def cart_add_view(request):
    form = CartAddForm(request.POST)
    if not form.is_valid():
        raise Http404
    product, variant = None, None
    try:
        product, variant = _product_and_variant(form)
        quantity = quantity_parse(request.POST.get("quantity", "1"))
        cart = _cart(request, create=True)
        line = cart_add(cart=cart, product=product, variant=variant, quantity=quantity)
    except ValidationError as error:
        return _added_response(request, product, errors=_messages_of(error))
    visit_event_record(visit_id=visit_id_for_request(request), kind=VisitEvent.Kind.ADDED_TO_CART)
    added = _added_response(request, product, cart=cart)
    return _tell_counters(request, added, kind="add", product=product, price=line.unit_price, quantity=quantity)


def _added_response(request, product: Product | None, *, cart: Cart | None = None, errors=()) -> HttpResponse:
    totals = cart_totals(lines=cart_lines(cart=cart)) if cart is not None else None
    if request.htmx:
        response = render(request, "orders/_cart_added.html", {"errors": errors, "totals": totals})
    else:
        for message in errors:
            messages.error(request, message)
        if not errors:
            messages.success(request, _("Added to the cart."))
        response = redirect(product.get_absolute_url() if product is not None else "orders:cart")
    return _cart_cookie_sync(request, response, totals) if totals is not None else response


def _line_or_404(request, line_id: int) -> CartLine:
    cart = _cart(request)
    if cart is None:
        raise Http404
    lines = CartLine.objects.select_related("cart", "product__brand", "product__category", "variant")
    return get_object_or_404(lines, pk=line_id, cart=cart)


@require_POST
def cart_line_update(request, line_id: int):
    line = _line_or_404(request, line_id)
    was = line.quantity
    try:
        cart_line_set_quantity(line=line, quantity=request.POST.get("quantity", ""))
    except ValidationError as error:
        return _cart_changed(request, line.cart, errors={line.pk: _messages_of(error)})
    response = _cart_changed(request, line.cart)
    if line.quantity == was:
        return response
    return _tell_counters(request, response, kind="add" if line.quantity > was else "remove", product=line.product,
                          price=line.unit_price, quantity=abs(line.quantity - was))


@require_POST
def cart_line_remove_view(request, line_id: int):
    line = _line_or_404(request, line_id)
    cart = line.cart
    cart_line_remove(line=line)
    return _tell_counters(request, _cart_changed(request, cart), kind="remove", product=line.product,
                          price=line.unit_price, quantity=line.quantity)


def _tell_counters(request, response: HttpResponse, *, kind: str, product: Product, price: Decimal,
                   quantity: int) -> HttpResponse:
    """Tell the web counters (static/js/counters.js) what went into or out of the cart: htmx raises
    the "ecommerce" event named in the HX-Trigger header on the form that asked. Only a changed cart
    is told, with today's price; a page without JavaScript has no counters to tell."""
    if not request.htmx or counters_settings() is None:
        return response
    item = product_ecommerce_item(product, price=price, quantity=quantity)
    # ASCII-only JSON: a header cannot carry the Cyrillic of a product's name as it is.
    response["HX-Trigger"] = json.dumps({"ecommerce": ecommerce_facts(kind=kind, items=[item])})
    return response


def _cart_changed(request, cart: Cart, *, errors: dict | None = None) -> HttpResponse:
    if request.htmx:
        return _cart_response(request, cart, errors=errors)
    for line_messages in (errors or {}).values():
        for message in line_messages:
            messages.error(request, message)
    return redirect("orders:cart")


# --- Checkout ------------------------------------------------------------------------------


def _visit(request) -> Visit | None:
    return visit_for_request(request)


def _initial_for(request, cart: Cart | None) -> dict:
    user = _shopper(request)
    initial = {"token": new_form_token()}
    if user is not None:
        initial.update(name=user.get_full_name(), phone=user.phone, email=user.email)
    if cart is not None:
        initial["email"] = cart.email or initial.get("email", "")
        initial["phone"] = cart.phone or initial.get("phone", "")
    methods = list(delivery_methods_active()[:2])
    if len(methods) == 1:
        initial["delivery_method"] = methods[0].pk
    return initial


def _points_asked(raw) -> int | str:
    """The points typed, as a number when they are one; anything else goes to the quote, which says why not."""
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() else (raw or 0)


def _checkout_quote(request, cart: Cart | None, data) -> Quote | None:
    """The price of the order as the form stands (`data`: what the shopper chose so far), or None
    when there is nothing to price; the same `cart_quote` that `order_place` will use."""
    user = _shopper(request)
    method_id = str(data.get("delivery_method") or "")
    method = delivery_methods_active().filter(pk=method_id).first() if method_id.isdigit() else None
    try:
        return cart_quote(
            cart=cart, delivery_method=method, promo_code=data.get("promo_code") or "",
            points=_points_asked(data.get("points")), customer=user,
            email=str(data.get("email") or "").strip().lower(), phone=_phone_or_blank(data.get("phone")),
            points_balance=points_balance(user=user) if user is not None else None,
        )
    except ValidationError:
        return None  # an empty cart or a product no longer sold: the form says so


def _checkout_context(request, form: CheckoutForm, cart: Cart | None, data, **extra) -> dict:
    context = _cart_context(cart)
    quote = _checkout_quote(request, cart, data)
    user = _shopper(request)
    balance = points_balance(user=user) if user is not None else 0
    chosen = str(data.get("delivery_method") or "")
    context.update(
        form=form,
        quote=quote,
        delivery_options=[
            {"method": method, "price": quote.delivery_price_for(method) if quote else method.price,
             "chosen": str(method.pk) == chosen}
            for method in delivery_methods_active()
        ],
        pickup_points=pickup_points_active().select_related("delivery_method"),
        points_balance=balance,
        points_max=min(balance, quote.points_max) if quote else 0,
        consent_version=CONSENT_WORDING_VERSION,
        ecommerce=ecommerce_facts(kind="checkout", items=[
            ecommerce_item(sku=line.product.sku, name=line.product.name, price=line.unit_price, quantity=line.quantity)
            for line in context["lines"]
        ]),
        **extra,
    )
    return context


def _render_checkout(request, form, cart, data, **extra) -> HttpResponse:
    return render(request, "orders/checkout.html", _checkout_context(request, form, cart, data, **extra))


@require_http_methods(["GET", "POST"])
def checkout(request):
    cart = _cart(request)
    if request.method == "GET":
        if not cart_lines(cart=cart):
            return redirect("orders:cart")  # the cart page says it is empty
        initial = _initial_for(request, cart)
        return _render_checkout(request, CheckoutForm(initial=initial), cart, initial)
    if request.POST.get("action") == "apply_promo":
        return _apply_promo(request, cart)
    form = CheckoutForm(request.POST)
    email, phone = _contact_typed(form)
    if email or phone:
        visit_event_record(visit_id=visit_id_for_request(request), kind=VisitEvent.Kind.CHECKOUT_STARTED)
    if form.is_valid():
        try:
            order = _place(request, form, cart)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _placed_response(request, order)
    if cart is not None and (email or phone):
        # The shopper typed how to reach them: the cart keeps it even if the order failed.
        cart_contact_update(cart=cart, email=email, phone=phone)
    return _render_checkout(request, form, cart, request.POST)


def _apply_promo(request, cart: Cart | None) -> HttpResponse:
    """Without JavaScript: show the page again with the promo code's discount or the reason."""
    form = CheckoutForm(initial={**request.POST.dict(), "token": request.POST.get("token") or new_form_token()})
    promo_error = "" if request.POST.get("promo_code", "").strip() else _("Enter a promo code.")
    return _render_checkout(request, form, cart, request.POST, promo_error=promo_error)


@require_POST
def checkout_summary(request):
    """The checkout's live summary: what the order costs as the form stands, asked by the page
    whenever delivery, pickup point, address, promo code or points change."""
    cart = _cart(request)
    form = CheckoutForm(initial=request.POST.dict())
    return render(request, "orders/_checkout_summary.html", _checkout_context(request, form, cart, request.POST))


def _phone_or_blank(raw: str | None) -> str:
    try:
        return phone_normalize(raw or "")
    except ValidationError:
        return ""


def _contact_typed(form: CheckoutForm) -> tuple[str, str]:
    """The e-mail and phone the shopper typed at checkout, each "" unless valid: having left one
    is what "started checkout" means in the funnel."""
    form.is_valid()  # cleans what it can; the errors are the page's to show
    email = form.cleaned_data.get("email", "") or ""
    return email, _phone_or_blank(form.data.get("phone"))


def _place(request, form: CheckoutForm, cart: Cart | None) -> Order:
    if cart is None:
        raise ValidationError(_("Your cart is empty."), code="cart_empty")
    data = form.cleaned_data
    try:
        return order_place(
            cart=cart, contact=form.contact(), delivery=form.delivery(), payment=data["payment"],
            idempotency_key=data["token"], promo_code=data["promo_code"] or None, points=data["points"] or 0,
            visit=_visit(request), comment=data["comment"],
            consents=CheckoutConsents(wording_version=CONSENT_WORDING_VERSION,
                                      marketing_email=data["consent_marketing_email"],
                                      marketing_sms=data["consent_marketing_sms"]),
        ).order
    except InsufficientPoints as error:
        raise ValidationError({"points": error}) from error


def _placed_response(request, order: Order) -> HttpResponse:
    placed = request.session.get(PLACED_SESSION_KEY, [])
    if order.number not in placed:
        request.session[PLACED_SESSION_KEY] = [*placed, order.number][-20:]
    if order.payment_method == Order.PaymentMethod.ONLINE_CARD and order.payment_status != Order.PaymentStatus.PAID:
        response = redirect("orders:order_pay", number=order.number)
    else:
        response = redirect("orders:order_thanks", number=order.number)
    return _cart_cookie_sync(request, response, cart_totals(lines=cart_lines(cart=_cart(request))))


def _order_or_404(request, number: str) -> Order:
    order = order_for_shopper(
        number=number, user=_shopper(request), placed_in_session=request.session.get(PLACED_SESSION_KEY, [])
    )
    if order is None:
        raise Http404
    return order


@require_GET
def order_thanks(request, number: str):
    order = _order_or_404(request, number)
    # Back from the provider's page: its notification may be a moment behind the shopper.
    waiting = order.payment_status == Order.PaymentStatus.PENDING and online_payment_available()
    if waiting and order_payment_refresh(order=order, provider=provider_get()):
        order.refresh_from_db()
    lines = list(order.lines.all())
    return render(request, "orders/thanks.html", {
        "order": order,
        "lines": lines,
        "ecommerce": _purchase_to_report(request, order, lines),
        "can_pay": (order.payment_method == Order.PaymentMethod.ONLINE_CARD and order.is_open
                    and order.payment_status in (Order.PaymentStatus.PENDING, Order.PaymentStatus.FAILED)),
    })


def _purchase_to_report(request, order: Order, lines) -> dict | None:
    """The order for the web counters, on the first showing of its thanks page only: a reload or a
    return visit would count the same purchase again."""
    reported = request.session.get(PURCHASES_REPORTED_SESSION_KEY, [])
    if order.number in reported:
        return None
    request.session[PURCHASES_REPORTED_SESSION_KEY] = [*reported[-19:], order.number]
    return ecommerce_facts(kind="purchase", order=order.number, value=order.total_to_pay, items=[
        ecommerce_item(sku=line.sku, name=line.product_name, price=line.unit_price, quantity=line.quantity)
        for line in lines
    ])


def privacy(request):
    return render(request, "orders/privacy.html", {"consent_version": CONSENT_WORDING_VERSION})


# --- Online payment ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def order_pay(request, number: str):
    """Send the shopper to the provider's page for the order's payment."""
    order = _order_or_404(request, number)
    return_url = request.build_absolute_uri(reverse("orders:order_thanks", args=[order.number]))
    try:
        payment = payment_start(order=order, provider=provider_get(), return_url=return_url)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.info(request, message)
        return redirect("orders:order_thanks", number=order.number)
    except (ProviderUnavailable, ProviderRefused):
        logger.exception("Order %s: the payment could not be started", order.number)
        messages.error(request, _("The payment service is not answering right now. Please try again in a minute."))
        return redirect("orders:order_thanks", number=order.number)
    return redirect(payment.redirect_url)


def _test_provider() -> TestPaymentProvider:
    if TestPaymentProvider.name != settings.PAYMENT_PROVIDER:
        raise Http404  # the shop takes real payments: no pretend bank
    return provider_get(TestPaymentProvider.name)


@require_http_methods(["GET", "POST"])
def payment_test_page(request, payment_id):
    """The test provider's "bank": pay or decline, and the bank notifies the shop."""
    provider = _test_provider()
    payment = get_object_or_404(Payment.objects.select_related("order"), public_id=payment_id, provider=provider.name)
    if request.method == "POST" and payment.status == Payment.Status.PENDING:
        body = provider.notification_for(payment, succeeded=request.POST.get("action") == "pay")
        _notification_handle(provider, body, {SIGNATURE_HEADER: provider.sign(body)})
        return redirect("orders:order_thanks", number=payment.order.number)
    return render(request, "orders/payment_test.html", {"payment": payment, "order": payment.order})


def _notification_handle(provider: PaymentProvider, body: bytes, headers) -> HttpResponse:
    if not provider.verify_signature(body=body, headers=headers):
        return HttpResponseForbidden("bad signature")
    try:
        notice = provider.parse_notification(body=body)
        payment_notification_apply(provider=provider, notice=notice, payload=body.decode("utf-8", "replace"))
    except BadNotification as error:
        return HttpResponse(f"bad notification: {error}", status=400, content_type="text/plain")
    except ProviderUnavailable:
        # The provider could not be asked to confirm: it delivers the notification again later.
        return HttpResponse("try again later", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # the provider's server posts here; the signature is the protection
@require_POST
def payment_webhook(request, provider_name: str):
    try:
        provider = provider_get(provider_name)
    except UnknownProvider:
        raise Http404 from None
    return _notification_handle(provider, request.body, request.headers)
