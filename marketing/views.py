"""Pages behind the links in campaign messages. They carry no session and set no cookie except
where the shopper is sent on (the restored cart): a link in an e-mail is opened by people, mail
scanners and image proxies alike, and none of them has a CSRF token."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Product
from core.client_address import client_address
from core.csrf import cross_origin_protected
from customers.models import Consent
from customers.throttle import request_counted
from marketing.campaigns import links
from marketing.campaigns.back_in_stock import back_in_stock_confirm, back_in_stock_request
from marketing.campaigns.cart_return import cart_return, product_reorder
from marketing.campaigns.models import BackInStockRequest
from marketing.campaigns.tracking import (
    campaign_click_record,
    campaign_message_for_token,
    campaign_open_record,
    campaign_unsubscribe,
)
from marketing.forms import BackInStockForm, MessagePreferencesForm
from marketing.kinds import Channel
from marketing.preferences import Recipient, marketing_preferences_current, marketing_preferences_save

# The smallest transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_http_methods(["GET", "HEAD"])
def click(request, signed: str):
    read = links.click_read(signed)
    target = read and campaign_click_record(
        token=read[0], link=read[1], method=request.method, user_agent=request.headers.get("User-Agent", "")
    )
    if not target:
        raise Http404
    # The target was stored with the message by the shop: this is never an open redirect.
    return HttpResponseRedirect(target)


@never_cache
@require_http_methods(["GET", "HEAD"])
def sms_click(request, token: str):
    """The short link of an SMS: the message's main target (link 0), recorded as a click."""
    message = campaign_message_for_token(token=token)
    target = message and message.channel == Channel.SMS and campaign_click_record(
        token=token, link=0, method=request.method, user_agent=request.headers.get("User-Agent", "")
    )
    if not target:
        raise Http404
    return HttpResponseRedirect(target)


@never_cache
@require_http_methods(["GET", "HEAD"])
def open_pixel(request, signed: str):
    token = links.open_read(signed)
    if token:
        campaign_open_record(token=token, method=request.method, user_agent=request.headers.get("User-Agent", ""))
    return HttpResponse(PIXEL, content_type="image/gif")


@csrf_exempt  # RFC 8058: the mail client POSTs from nowhere, with no cookies and no token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, signed: str):
    """GET shows a button and changes nothing (scanners open every link); POST unsubscribes."""
    return _unsubscribe(request, token=links.unsubscribe_read(signed))


@csrf_exempt  # the SMS's short opt-out link: the same page, named by the message's random token
@never_cache
@require_http_methods(["GET", "POST"])
def sms_unsubscribe(request, token: str):
    message = campaign_message_for_token(token=token)
    if not message or message.channel != Channel.SMS:
        raise Http404
    return _unsubscribe(request, token=token)


def _unsubscribe(request, *, token: str | None):
    message = token and campaign_message_for_token(token=token)
    if not message:
        raise Http404
    context = {"message": message, "preferences_url": links.preferences_path(token)}
    if request.method == "POST":
        campaign_unsubscribe(token=token)
        return render(request, "marketing/campaigns/unsubscribed.html", context)
    return render(request, "marketing/campaigns/unsubscribe.html", context)


def _preferences_page(request, *, recipient: Recipient, template: str, source: str):
    """The same page for the account and for the link in a message: channels and kinds."""
    current = marketing_preferences_current(recipient=recipient)
    form = MessagePreferencesForm(request.POST or None, channels=recipient.channels, current=current)
    if request.method == "POST" and form.is_valid():
        channels, kinds = form.answers()
        marketing_preferences_save(recipient=recipient, channels=channels, kinds=kinds, source=source)
        messages.success(request, _("Your message preferences are saved."))
        return redirect(request.path)
    return render(request, template, {"form": form, "recipient": recipient})


@login_required(login_url="customers:sign_in")
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    return _preferences_page(request, recipient=Recipient(user=user, email=user.email, phone=user.phone),
                             template="marketing/preferences_account.html", source=Consent.Source.PREFERENCES)


@never_cache
@require_http_methods(["GET", "POST"])
def preferences_for_message(request, signed: str):
    """Reached from a message's unsubscribe page: the person the message went to, no sign-in."""
    token = links.unsubscribe_read(signed)
    message = token and campaign_message_for_token(token=token)
    if not message:
        raise Http404
    user, recipient = message.user, message.message.recipient
    if message.channel == Channel.EMAIL:
        person = Recipient(user=user, email=recipient, phone=user.phone if user else "")
    else:
        person = Recipient(user=user, email=user.email if user else "", phone=recipient)
    return _preferences_page(request, recipient=person, template="marketing/preferences.html",
                             source=Consent.Source.PREFERENCES)


@cross_origin_protected  # the form is on the product page, which every shopper shares
@require_POST
def back_in_stock(request):
    form = BackInStockForm(request.POST)
    if not form.is_valid():
        return _back_in_stock_answer(request, None, errors=[str(error) for error in form.errors.get("email", [])]
                                     or [_("Enter your e-mail address.")], status=400)
    product = get_object_or_404(Product, pk=form.cleaned_data["product"], is_active=True)
    user = request.user if request.user.is_authenticated else None
    if user is None and not _guest_request_allowed(request, email=form.cleaned_data["email"]):
        return _back_in_stock_answer(request, product, status=429, errors=[
            _("Too many requests from here. Please try again in an hour.")])
    try:
        subscription = back_in_stock_request(product=product, user=user, email=form.cleaned_data["email"])
    except ValidationError as error:
        return _back_in_stock_answer(request, product, errors=error.messages, status=400)
    return _back_in_stock_answer(request, product, subscription=subscription)


def _guest_request_allowed(request, *, email: str) -> bool:
    """A guest's request e-mails whatever address was typed: limited per client and per address."""
    counts = (
        request_counted(key=f"back-in-stock:address:{client_address(request)}", window=3600,
                        limit=settings.BACK_IN_STOCK_GUEST_REQUESTS_PER_ADDRESS),
        request_counted(key=f"back-in-stock:email:{email.strip().lower()}", window=3600,
                        limit=settings.BACK_IN_STOCK_GUEST_REQUESTS_PER_EMAIL),
    )
    return all(counts)


def _back_in_stock_answer(request, product, *, subscription: BackInStockRequest | None = None, errors=(),
                          status: int = 200):
    context = {"product": product, "subscription": subscription, "errors": errors}
    template = "marketing/_back_in_stock_result.html" if request.htmx else "marketing/back_in_stock.html"
    return render(request, template, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def back_in_stock_confirm_view(request, signed: str):
    """GET shows a button and confirms nothing (mail scanners open every link); POST confirms."""
    request_id = links.back_in_stock_confirm_read(signed)
    subscription = request_id and BackInStockRequest.objects.select_related("product").filter(pk=request_id).first()
    if not subscription:
        raise Http404
    if request.method == "POST":
        subscription = back_in_stock_confirm(request_id=subscription.pk)
        return render(request, "marketing/back_in_stock_confirmed.html", {"subscription": subscription})
    return render(request, "marketing/back_in_stock_confirm.html", {"subscription": subscription})


@require_http_methods(["GET"])
def cart_return_view(request, signed: str):
    cart_id = links.cart_return_read(signed)
    if cart_id is None:
        raise Http404
    cart_return(request=request, cart_id=cart_id)
    return redirect("orders:cart")


@require_http_methods(["GET"])
def reorder(request, signed: str):
    product_id = links.reorder_read(signed)
    if product_id is None:
        raise Http404
    if product_reorder(request=request, product_id=product_id):
        return redirect("orders:cart")
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404
    return redirect(product.get_absolute_url())
