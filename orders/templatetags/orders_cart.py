from django import template

from orders.selectors import EMPTY_CART, CartTotals, cart_summary

register = template.Library()

CART_COOKIE = "cart"  # the same cookie as orders.views.CART_COOKIE


@register.inclusion_tag("orders/_mini_cart.html", takes_context=True)
def mini_cart(context, totals: CartTotals | None = None, oob: bool = False) -> dict:
    """The header's cart link with the number of items and their cost. A guest without the
    cart cookie has no cart: no query, and the page stays the same for everyone (cacheable)."""
    request = context.get("request")
    if totals is None:
        totals = EMPTY_CART
        if request is not None and not getattr(request, "renders_for_page_cache", False):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                totals = cart_summary(user=user)
            elif CART_COOKIE in request.COOKIES and hasattr(request, "session"):
                totals = cart_summary(user=None, session_key=request.session.session_key or "")
    return {"totals": totals, "oob": oob}
