from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import Supplier

PRICELIST_MAX_BYTES = 100 * 1024 * 1024


class PriceListUploadForm(forms.Form):
    supplier = forms.ModelChoiceField(Supplier.objects.all(), label=_("supplier"))
    file = forms.FileField(label=_("price list"), help_text=_("A .csv or .xlsx file with a header row."))
    dry_run = forms.BooleanField(label=_("dry run"), required=False, initial=True,
                                 help_text=_("Only show what would change; write nothing."))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if Path(file.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if file.size > PRICELIST_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 100 MB."))
        return file
