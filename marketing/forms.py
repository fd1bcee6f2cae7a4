"""The forms of marketing's own pages: the preference page and "tell me when it is back"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing.kinds import TRIGGER_KINDS, Channel, MessageKind
from marketing.preferences import Preferences

CHANNEL_LABELS = {Channel.EMAIL: _("News and offers by e-mail"), Channel.SMS: _("News and offers by SMS")}


class MessagePreferencesForm(forms.Form):
    """A box per channel the person can be reached by, and one per kind of marketing message."""

    def __init__(self, *args, channels: list[str], current: Preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in channels:
            self.fields[f"channel_{channel}"] = forms.BooleanField(
                label=CHANNEL_LABELS[channel], required=False, initial=current.channels.get(channel, False))
        for kind in TRIGGER_KINDS:
            self.fields[f"kind_{kind}"] = forms.BooleanField(
                label=MessageKind(kind).label, required=False, initial=current.kinds.get(kind, True))
        self.channels = channels

    def channel_fields(self):
        return [self[f"channel_{channel}"] for channel in self.channels]

    def kind_fields(self):
        return [self[f"kind_{kind}"] for kind in TRIGGER_KINDS]

    def answers(self) -> tuple[dict[str, bool], dict[str, bool]]:
        data = self.cleaned_data
        return ({channel: data[f"channel_{channel}"] for channel in self.channels},
                {kind: data[f"kind_{kind}"] for kind in TRIGGER_KINDS})


class BackInStockForm(forms.Form):
    """A guest leaves an e-mail; a signed-in customer needs nothing but the button."""

    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
