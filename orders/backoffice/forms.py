from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import phone_clean
from orders.models import CallLog, Order
from orders.services.backoffice import DETAIL_FIELDS


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Order.Status.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallLog.Outcome.choices)
    call_back_at = forms.DateTimeField(
        label=_("Call back at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note about the customer"), widget=forms.Textarea(attrs={"rows": 2}))


class OrderDetailsForm(forms.ModelForm):
    """The admin's order form: checks the phone as checkout does; the rest is checked by
    orders.services.order_update_details when saved."""

    class Meta:
        model = Order
        fields = DETAIL_FIELDS

    def clean_phone(self):
        # A phone that is no number is the field's error, said as checkout says it.
        return phone_clean(self.cleaned_data["phone"])
