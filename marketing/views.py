"""Pages behind the links in campaign messages. They carry no session and set no cookie except
where the shopper is sent on (the restored cart): a link in an e-mail is opened by people, mail
scanners and image proxies alike, and none of them has a CSRF token."""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from catalog.models import Product
from marketing.campaigns import links
from marketing.campaigns.cart_return import cart_return, product_reorder
from marketing.campaigns.tracking import (
    campaign_click_record,
    campaign_message_for_token,
    campaign_open_record,
    campaign_unsubscribe,
)

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
    token = links.unsubscribe_read(signed)
    message = token and campaign_message_for_token(token=token)
    if not message:
        raise Http404
    if request.method == "POST":
        campaign_unsubscribe(token=token)
        return render(request, "marketing/campaigns/unsubscribed.html", {"message": message})
    return render(request, "marketing/campaigns/unsubscribe.html", {"message": message})


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
