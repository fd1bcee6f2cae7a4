from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from catalog.models import Product
from reviews.forms import ReviewForm
from reviews.selectors import order_products_to_review, review_eligibility
from reviews.services import AlreadyReviewed, NotAVerifiedBuyer, review_submit

account_required = login_required(login_url="customers:sign_in")


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@account_required
def review_write(request, slug: str):
    """The review form for one product (the product page's form posts here); a shopper who may
    not review it is told why, with 403 when they tried."""
    product = get_object_or_404(Product.objects.active(), slug=slug)
    eligibility = review_eligibility(user=request.user, product=product)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST" and not eligibility.may_review:
        status = 403
    elif request.method == "POST":
        if form.is_valid():
            try:
                review_submit(user=request.user, product=product, rating=form.cleaned_data["rating"],
                              text=form.cleaned_data["text"])
            except (AlreadyReviewed, NotAVerifiedBuyer) as error:  # lost a race with another tab
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return redirect(product.get_absolute_url() + "#reviews")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you! Your review will appear once it has been checked."))
                return redirect(_next_or(request, product.get_absolute_url() + "#reviews"))
        status = 400
    return render(request, "reviews/write.html", {
        "product": product, "form": form, "eligibility": eligibility, "next": _next_or(request, ""),
    }, status=status)


@account_required
def order_review(request, number: str):
    """Where the review request e-mail leads: the order's products, each with its form."""
    products = order_products_to_review(user=request.user, number=number)
    if products is None:
        # Not a delivered order of this account, or no such order: the same answer for both. An
        # order placed as a guest comes here from its review request and counts once added.
        return render(request, "reviews/order_not_found.html", {"number": number}, status=404)
    return render(request, "reviews/order.html", {
        "number": number,
        # One form per product, with ids of its own on one page.
        "items": [(item, ReviewForm(auto_id=f"id_review{item.product.pk}_%s")) for item in products],
    })
