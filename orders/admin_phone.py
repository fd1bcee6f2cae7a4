"""“New phone order”: a manager types in what a customer orders on the phone. The order is
placed by orders.services.order_place_by_phone, so stock, prices and history are the site's."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import formset_factory
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductVariant
from customers.models import User
from orders.models import DeliveryMethod, Order, PickupPoint
from orders.services import Contact, Delivery, PhoneOrderLine, order_place_by_phone

PHONE_ORDER_PERMISSION = "orders.claim_orders"


class PhoneOrderForm(forms.Form):
    name = forms.CharField(label=_("Customer's name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    email = forms.EmailField(
        label=_("E-mail"), required=False,
        help_text=_("If the customer has an account with this e-mail, the order appears in it."),
    )
    delivery_method = forms.ModelChoiceField(label=_("Delivery"), queryset=DeliveryMethod.objects.none())
    pickup_point = forms.ModelChoiceField(label=_("Pickup point"), queryset=PickupPoint.objects.none(),
                                          required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=6, required=False)
    date = forms.DateField(label=_("Preferred date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time_window = forms.CharField(label=_("Preferred time"), max_length=32, required=False)
    payment = forms.ChoiceField(label=_("Payment"), choices=Order.PaymentMethod.choices)
    promo_code = forms.CharField(label=_("Promo code"), max_length=40, required=False)
    comment = forms.CharField(label=_("Customer's comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_method"].queryset = DeliveryMethod.objects.filter(is_active=True)
        self.fields["pickup_point"].queryset = PickupPoint.objects.filter(is_active=True).select_related(
            "delivery_method"
        )
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4().hex


class PhoneOrderLineForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=12, required=False, initial="1")

    def clean(self):
        """Finds the product or variant by its SKU; the quantity is the cart service's to judge."""
        data = super().clean()
        sku = (data.get("sku") or "").strip()
        data["product"] = data["variant"] = None
        if not sku:
            return data
        variant = ProductVariant.objects.select_related("product").filter(sku__iexact=sku).first()
        if variant is not None:
            data["product"], data["variant"] = variant.product, variant
            return data
        product = Product.objects.filter(sku__iexact=sku).first()
        if product is None:
            raise ValidationError({"sku": _("No product or variant has this SKU.")})
        data["product"] = product
        return data


PhoneOrderLineFormSet = formset_factory(PhoneOrderLineForm, extra=5)


def _service_errors_to(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def phone_order(request, *, model_admin):
    if not request.user.has_perm(PHONE_ORDER_PERMISSION):
        raise PermissionDenied
    form = PhoneOrderForm(request.POST or None)
    lines = PhoneOrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        email = data["email"].strip().lower()
        try:
            order = order_place_by_phone(
                manager=request.user,
                customer=User.objects.filter(email__iexact=email).first() if email else None,
                lines=[
                    PhoneOrderLine(product=line["product"], variant=line["variant"], quantity=line["quantity"])
                    for line in lines.cleaned_data if line.get("product") is not None
                ],
                contact=Contact(name=data["name"], phone=data["phone"], email=email),
                delivery=Delivery(
                    method=data["delivery_method"], pickup_point=data["pickup_point"], address=data["address"],
                    postcode=data["postcode"], date=data["date"], time_window=data["time_window"],
                ),
                payment=data["payment"],
                idempotency_key=data["token"],
                promo_code=data["promo_code"] or None,
                comment=data["comment"],
            )
        except ValidationError as error:
            _service_errors_to(form, error)
        else:
            messages.success(request, _("Order %(number)s is placed and taken by you.") % {"number": order.number})
            return redirect("admin:orders_order_change", order.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("New phone order"),
        "opts": Order._meta,
        "form": form,
        "lines": lines,
    }
    return TemplateResponse(request, "admin/orders/order/phone_order.html", context)


def phone_order_urls(model_admin) -> list:
    """The page's URL, for OrderAdmin.get_urls."""
    view = model_admin.admin_site.admin_view(
        lambda request: phone_order(request, model_admin=model_admin)
    )
    return [path("phone/new/", view, name="orders_order_phone")]
