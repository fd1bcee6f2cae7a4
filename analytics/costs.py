"""Marketing costs come in by hand, as a CSV exported from an ad account, or from a script through
the API; all three go through marketing_costs_save, so a row is checked by the same rules."""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from analytics.models import MarketingCost
from orders.models import Order

CSV_COLUMNS = ("day", "channel", "utm_source", "utm_campaign", "amount")
MAX_ROWS = 20_000


class MoneyField(forms.DecimalField):
    """Accepts what a spreadsheet writes: "1 234,50", "1234.5", "1 234 ₽"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("₽", "")
            value = value.replace(",", ".")
        return super().to_python(value)


class ChannelField(forms.ChoiceField):
    """A channel by its code ("paid_search") or its name in either language ("Paid search")."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        for code, label in Order.Channel.choices:
            if value.lower() in (code, str(label).lower()):
                return code
        return value


class MarketingCostRowForm(forms.Form):
    day = forms.DateField(label=_("day"), input_formats=["%Y-%m-%d", "%d.%m.%Y"])
    channel = ChannelField(label=_("channel"), choices=Order.Channel.choices)
    utm_source = forms.CharField(label="utm_source", max_length=100, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=150, required=False)
    amount = MoneyField(label=_("spent, ₽"), min_value=Decimal("0"), max_digits=12, decimal_places=2)


@dataclass
class CostImport:
    saved: int = 0
    errors: dict[int, list[str]] = field(default_factory=dict)  # row (or CSV line) number → messages

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def marketing_costs_save(*, rows: Iterable[Mapping], first_number: int = 1) -> CostImport:
    """Check every row and save them all, or none when any is wrong (the result says which and
    why, by row number counted from `first_number`: 2 for a CSV file, whose line 1 is the
    header). A row for a day, channel, source and campaign already entered replaces its amount, so
    importing the same file twice changes nothing."""
    result, cleaned = CostImport(), {}
    for number, row in enumerate(rows, start=first_number):
        if number - first_number >= MAX_ROWS:
            result.errors[number] = [str(_("At most %(count)d rows at once.") % {"count": MAX_ROWS})]
            break
        form = MarketingCostRowForm(data={name: (row.get(name) or "") for name in CSV_COLUMNS})
        if not form.is_valid():
            result.errors[number] = [f"{_field_label(form, name)}: {message}"
                                     for name, messages in form.errors.items() for message in messages]
            continue
        data = form.cleaned_data
        key = (data["day"], data["channel"], data["utm_source"].strip(), data["utm_campaign"].strip())
        cleaned[key] = data["amount"]
    if result.errors:
        return result
    for (day, channel, utm_source, utm_campaign), amount in cleaned.items():
        MarketingCost.objects.update_or_create(
            day=day, channel=channel, utm_source=utm_source, utm_campaign=utm_campaign, defaults={"amount": amount}
        )
    result.saved = len(cleaned)
    return result


def _field_label(form, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else str(_("row"))


class CsvError(ValueError):
    pass


def csv_rows(content: bytes) -> list[dict]:
    """The rows of an uploaded CSV: UTF-8 (with or without a BOM) or Windows-1251, separated by
    commas, semicolons or tabs, with a header row naming CSV_COLUMNS."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1251", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in ("day", "channel", "amount") if name not in header]
    if missing:
        raise CsvError(_("The first row must name the columns; missing: %(columns)s.")
                       % {"columns": ", ".join(missing)})
    reader.fieldnames = header
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
