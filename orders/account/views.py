from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.transactions import after_commit
from orders.account.selectors import guest_orders_for_email, order_get_for_customer, order_tracking, orders_for_customer
from orders.account.services import guest_orders_add
from orders.tasks import guest_orders_link_send_task

account_required = login_required(login_url="customers:sign_in")


@account_required
def order_list(request):
    page = Paginator(orders_for_customer(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orders/account/order_list.html", {
        "page": page, "orders": page.object_list,
        "guest_orders_waiting": guest_orders_for_email(email=request.user.email).exists(),
    })


@account_required
@require_POST
def guest_orders_link_request(request):
    """Send (again) the link that adds the orders placed as a guest with the account's e-mail."""
    shop_url = request.build_absolute_uri("/")
    after_commit(lambda: guest_orders_link_send_task.delay(request.user.pk, shop_url))
    messages.info(request, _("We have sent a link to %(email)s: open it to add those orders here.")
                  % {"email": request.user.email})
    return redirect("account_orders:list")


@account_required
def guest_orders_add_view(request, token: str):
    try:
        added = guest_orders_add(user=request.user, token=token)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, ngettext("%(count)d earlier order was added to your account.",
                                           "%(count)d earlier orders were added to your account.", added)
                         % {"count": added})
    return redirect("account_orders:list")


@account_required
def order_detail(request, number: str):
    order = order_get_for_customer(user=request.user, number=number)
    return render(request, "orders/account/order_detail.html", {
        "order": order,
        "lines": order.lines.all(),
        "history": order.history.all(),
        "tracking": order_tracking(order),
    })
