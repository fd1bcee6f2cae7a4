from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.whatif import ChannelInputs, WhatIfInputs, channel_label


def _decimal(label, *, minimum="0", maximum=None, places=2) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal(minimum), max_value=maximum and Decimal(maximum),
                              max_digits=14, decimal_places=places, localize=True)


class WhatIfForm(forms.Form):
    """The model's inputs: a row per channel (visits a month, cost per visit, conversion) and the
    shop's average order, margin, fixed costs and growth."""

    average_order_value = _decimal(_("Average order, ₽"))
    # xgettext:no-python-format
    margin = _decimal(_("Gross margin, % of revenue"), maximum="100", places=1)
    fixed_costs = _decimal(_("Fixed costs a month, ₽"))
    growth = _decimal(_("Traffic growth a month, %"), minimum="-50", maximum="100", places=1)

    def __init__(self, *args, channels: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channels = channels
        for channel in channels:
            label = channel_label(channel)
            self.fields[f"visits__{channel}"] = forms.IntegerField(label=label, min_value=0, max_value=10**9)
            self.fields[f"cost_per_visit__{channel}"] = _decimal(label)
            self.fields[f"conversion__{channel}"] = _decimal(label, maximum="100")

    @classmethod
    def initial_for(cls, inputs: WhatIfInputs) -> dict:
        initial = {"average_order_value": inputs.average_order_value, "margin": inputs.margin,
                   "fixed_costs": inputs.fixed_costs, "growth": inputs.growth}
        for channel in inputs.channels:
            initial |= {f"visits__{channel.channel}": channel.visits,
                        f"cost_per_visit__{channel.channel}": channel.cost_per_visit,
                        f"conversion__{channel.channel}": channel.conversion}
        return initial

    def rows(self) -> list[dict]:
        return [{"label": channel_label(channel), "visits": self[f"visits__{channel}"],
                 "cost_per_visit": self[f"cost_per_visit__{channel}"], "conversion": self[f"conversion__{channel}"]}
                for channel in self.channels]

    def inputs(self) -> WhatIfInputs:
        data = self.cleaned_data
        return WhatIfInputs(
            channels=[ChannelInputs(channel, data[f"visits__{channel}"], data[f"cost_per_visit__{channel}"],
                                    data[f"conversion__{channel}"]) for channel in self.channels],
            average_order_value=data["average_order_value"], margin=data["margin"],
            fixed_costs=data["fixed_costs"], growth=data["growth"],
        )


class ScenarioNameForm(forms.Form):
    # The name sits in the model's form, which recomputes as numbers change: a browser check that
    # it is filled in would stop every recomputation until the owner names a scenario.
    use_required_attribute = False

    name = forms.CharField(label=_("Save as"), max_length=120)
