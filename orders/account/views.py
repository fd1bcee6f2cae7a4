from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from orders.account.selectors import order_get_for_customer, order_tracking, orders_for_customer

account_required = login_required(login_url="customers:sign_in")


@account_required
def order_list(request):
    page = Paginator(orders_for_customer(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orders/account/order_list.html", {"page": page, "orders": page.object_list})


@account_required
def order_detail(request, number: str):
    order = order_get_for_customer(user=request.user, number=number)
    return render(request, "orders/account/order_detail.html", {
        "order": order,
        "lines": order.lines.all(),
        "history": order.history.all(),
        "tracking": order_tracking(order),
    })
