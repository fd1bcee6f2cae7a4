from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from analytics.models import CHANNEL_CHOICES, Attribution
from analytics.periods import PRESETS, Period, period_for_preset
from customers.models import Visit


class ReportForm(forms.Form):
    """What every report asks: which days (a preset or from–to, shop days) and which attribution."""

    preset = forms.ChoiceField(label=_("Period"), required=False, choices=[("", _("Choose dates")),
                                                                           *PRESETS.items()])
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    attribution = forms.ChoiceField(label=_("Attribution"), required=False, choices=Attribution.choices)
    by = forms.ChoiceField(label=_("Group by"), required=False,
                           choices=[("channel", _("Channel")), ("utm", _("Channel, UTM source and campaign"))])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *CHANNEL_CHOICES])
    device = forms.ChoiceField(label=_("Device"), required=False, choices=[("", _("All")), *Visit.Device.choices])

    # Which of the fields above each report offers on its page.
    EXTRA_FIELDS = {"channels": ("by",), "funnel": ("channel", "device")}
    # Reports whose figures do not depend on which visit an order is credited to.
    WITHOUT_ATTRIBUTION = frozenset({"categories", "managers", "customers", "cohorts", "logistics", "campaigns",
                                     "cancellations"})

    DEFAULT_PRESET = "30d"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end, preset = data.get("start"), data.get("end"), data.get("preset")
        if start or end:
            if not (start and end):
                raise ValidationError(_("Give both the first and the last day."), code="period_incomplete")
            data["period"] = Period(start, end)
        else:
            data["period"] = period_for_preset(preset or self.DEFAULT_PRESET)
        data["attribution"] = data.get("attribution") or Attribution.LAST_NON_DIRECT
        data["by"] = data.get("by") or "channel"
        data["channel"], data["device"] = data.get("channel") or "", data.get("device") or ""
        return data

    def fields_for(self, report: str) -> list:
        extra = self.EXTRA_FIELDS.get(report, ())
        hidden = {"by", "channel", "device", *(("attribution",) if report in self.WITHOUT_ATTRIBUTION else ())}
        return [field for field in self if field.name not in hidden or field.name in extra]


def report_form(query) -> ReportForm:
    """The form bound to a request's query string; with none, the default: the last 30 days."""
    return ReportForm(query if query else {"preset": ReportForm.DEFAULT_PRESET})
