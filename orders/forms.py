"""Forms of the shopper-facing cart and checkout. The rules live in orders.services; these
forms only collect what the shopper typed and put the services' refusals next to the field."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers.models import CONSENT_WORDING_VERSION  # noqa: F401  (checkout reads it from here)
from orders.models import DeliveryMethod, Order, PickupPoint
from orders.payments import online_payment_available
from orders.selectors import delivery_methods_active, pickup_points_active
from orders.services import Contact, Delivery, contact_check, delivery_check

TIME_WINDOWS = [
    ("", _("Any time")),
    ("09:00–13:00", "09:00–13:00"),
    ("13:00–18:00", "13:00–18:00"),
    ("18:00–22:00", "18:00–22:00"),
]


class CartAddForm(forms.Form):
    """Only finds the product and variant; quantities are checked by the cart service,
    which gives one message for every way of getting them wrong."""

    product = forms.IntegerField(widget=forms.HiddenInput)
    variant = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quantity = forms.CharField(required=False)


class CheckoutForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Phone"), max_length=40,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel",
                                                          "placeholder": "+7 916 123-45-67"}))
    email = forms.EmailField(label=_("E-mail"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    delivery_method = forms.ModelChoiceField(
        label=_("Delivery"), queryset=DeliveryMethod.objects.none(), widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a delivery method."),
                        "invalid_choice": _("This delivery method is not available.")},
    )
    pickup_point = forms.ModelChoiceField(
        label=_("Pickup point"), queryset=PickupPoint.objects.none(), required=False, widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("This pickup point is not available for the chosen delivery.")},
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    postcode = forms.CharField(label=_("Postcode"), max_length=6, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    date = forms.DateField(label=_("Preferred date"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time_window = forms.ChoiceField(label=_("Preferred time"), choices=TIME_WINDOWS, required=False)
    payment = forms.ChoiceField(
        label=_("Payment"), choices=Order.PaymentMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how to pay.")},
    )
    promo_code = forms.CharField(label=_("Promo code"), max_length=40, required=False)
    points = forms.IntegerField(label=_("Pay with points"), min_value=0, required=False,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}))
    consent_personal_data = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        error_messages={"required": _("We cannot take the order without your consent to process personal data.")},
    )
    consent_marketing_email = forms.BooleanField(label=_("Send me offers and news by e-mail"), required=False)
    consent_marketing_sms = forms.BooleanField(label=_("Send me offers and news by SMS"), required=False)
    comment = forms.CharField(label=_("Comment on the order"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    token = forms.CharField(max_length=64, widget=forms.HiddenInput,
                            error_messages={"required": _("The checkout form has expired. Please reload the page.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_method"].queryset = delivery_methods_active()
        if not online_payment_available():
            self.fields["payment"].choices = [
                choice for choice in Order.PaymentMethod.choices if choice[0] != Order.PaymentMethod.ONLINE_CARD
            ]
        self.fields["pickup_point"].queryset = pickup_points_active()
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = new_form_token()

    def clean(self):
        """The services' own checks, so every mistake shows at once, not one per attempt."""
        data = super().clean()
        try:
            contact = contact_check(Contact(
                name=data.get("name", ""), phone=data.get("phone", ""), email=data.get("email", "")
            ))
        except ValidationError as error:
            self.add_service_error(error, keep_existing=True)
        else:
            data.update(name=contact.name, phone=contact.phone, email=contact.email)
        if data.get("delivery_method") is not None:
            try:
                delivery_check(self.delivery())
            except ValidationError as error:
                self.add_service_error(error, keep_existing=True)
        return data

    def contact(self) -> Contact:
        data = self.cleaned_data
        return Contact(name=data["name"], phone=data["phone"], email=data["email"])

    def delivery(self) -> Delivery:
        data = self.cleaned_data
        return Delivery(
            method=data["delivery_method"], pickup_point=data.get("pickup_point"), address=data.get("address", ""),
            postcode=data.get("postcode", ""), date=data.get("date"), time_window=data.get("time_window", ""),
        )

    def add_service_error(self, error: ValidationError, *, keep_existing: bool = False) -> None:
        """Put a service's refusal next to the field it is about, or above the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                field = field if field in self.fields else None
                if keep_existing and field in self.errors:
                    continue  # the field's own message already says what is wrong
                self.add_error(field, errors)
        else:
            self.add_error(None, error)


def new_form_token() -> str:
    """The checkout form's one-time token: the idempotency key of the order it makes."""
    return uuid.uuid4().hex
