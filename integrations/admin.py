from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from catalog.models import Attribute
from customers.models import User
from integrations.exports.catalog import catalog_file_supplier, catalog_table
from integrations.exports.customers import customers_table
from integrations.exports.files import FORMATS, table_response
from integrations.exports.orders import orders_table
from integrations.forms import PriceListUploadForm
from integrations.models import (
    PriceChange,
    PriceListImport,
    PriceListRowError,
    Supplier,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from integrations.pricelists.services import pricelist_import_apply, pricelist_import_start
from integrations.webhooks.services import webhook_resend
from orders.models import Order

SHOWN_ERRORS = 200


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "upload_link", "markup_percent", "rounding", "creates_products", "updated_at")
    search_fields = ("name",)
    autocomplete_fields = ("default_category",)
    fieldsets = (
        (None, {"fields": ("name",)}),
        (_("Price rule"), {"fields": ("markup_percent", "rounding")}),
        (_("Columns of the price list"), {
            "description": _("Header names as they are in the supplier's file; leave a column empty to ignore it."),
            "fields": ("sku_column", "price_column", "stock_column", "name_column", "category_column",
                       "brand_column", "attribute_columns"),
        }),
        (_("New products"), {"fields": ("creates_products", "default_category")}),
    )

    @admin.display(description=_("price list"))
    def upload_link(self, supplier: Supplier) -> str:
        url = reverse("admin:integrations_pricelistimport_add")
        return format_html('<a href="{}?supplier={}">{}</a>', url, supplier.pk, _("Upload"))


class PriceListRowErrorInline(admin.TabularInline):
    model = PriceListRowError
    extra = 0
    can_delete = False
    fields = ("line", "sku", "reason")
    readonly_fields = fields

    def get_queryset(self, request):
        # A file full of mistakes must not make the job's page unreadable.
        ids = super().get_queryset(request).values_list("pk", flat=True)[:SHOWN_ERRORS]
        return super().get_queryset(request).filter(pk__in=list(ids))

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PriceListImport)
class PriceListImportAdmin(admin.ModelAdmin):
    """Price list jobs: upload (dry run first), watch the progress, apply, read the errors."""

    list_display = ("created_at", "supplier", "original_name", "dry_run", "status", "new_count", "changed_count",
                    "unchanged_count", "error_count")
    list_filter = ("status", "dry_run", "supplier")
    list_select_related = ("supplier",)
    inlines = (PriceListRowErrorInline,)
    change_form_template = "admin/integrations/pricelistimport/change_form.html"
    change_list_template = "admin/integrations/pricelistimport/change_list.html"
    fields = ("supplier", "original_name", "dry_run", "status", "started_by", "started_at", "finished_at",
              "total_rows", "processed_rows", "new_count", "changed_count", "unchanged_count", "error_count",
              "failure")
    readonly_fields = fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The job is the record of what a file did to prices; it stays.
        return False

    def get_urls(self):
        own = [
            path("<int:pk>/progress/", self.admin_site.admin_view(self.progress_view),
                 name="integrations_pricelistimport_progress"),
            path("<int:pk>/apply/", self.admin_site.admin_view(require_POST(self.apply_view)),
                 name="integrations_pricelistimport_apply"),
            path("catalog.<str:file_format>", self.admin_site.admin_view(self.catalog_export_view),
                 name="integrations_catalog_export"),
        ]
        return own + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PriceListUploadForm(request.POST or None, request.FILES or None,
                                   initial={"supplier": request.GET.get("supplier")})
        if request.method == "POST" and form.is_valid():
            job = pricelist_import_start(user=request.user, **form.cleaned_data)
            return redirect("admin:integrations_pricelistimport_change", job.pk)
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Upload a price list")}
        return TemplateResponse(request, "admin/integrations/pricelistimport/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra = {"job": job, "can_apply": job is not None and self._can_apply(request, job),
                 "preview": _preview_rows(job.preview) if job else []}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def progress_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(PriceListImport, pk=pk)
        return JsonResponse({
            "status": job.status, "status_display": job.get_status_display(), "finished": job.is_finished,
            "percent": job.percent_done, "processed": job.processed_rows, "total": job.total_rows,
        })

    def apply_view(self, request, pk: int):
        job = get_object_or_404(PriceListImport, pk=pk)
        if not self._can_apply(request, job):
            raise PermissionDenied
        applied = pricelist_import_apply(dry_run=job, user=request.user)
        return redirect(reverse("admin:integrations_pricelistimport_change", args=[applied.pk]))

    def catalog_export_view(self, request, file_format: str):
        """The whole catalog in this page's import format: edit it in a spreadsheet and upload it
        with the "catalog file" supplier."""
        if file_format not in FORMATS:
            raise Http404
        if not request.user.has_perm("catalog.view_product"):
            raise PermissionDenied
        header, rows = catalog_table()
        return table_response(header=header, rows=rows, filename="catalog", file_format=file_format)

    def changelist_view(self, request, extra_context=None):
        if self.has_add_permission(request):
            catalog_file_supplier()  # so that an edited catalog file can be uploaded at once
        return super().changelist_view(request, extra_context)

    def _can_apply(self, request, job: PriceListImport) -> bool:
        return (self.has_add_permission(request) and job.dry_run and job.status == PriceListImport.Status.DONE)



def _preview_rows(preview: list[dict]) -> list[dict]:
    """A job's first changes with the fields named as the admin names them."""
    labels = {
        "price": _("price"), "price_override": _("price"), "stock": _("stock"), "name": _("name"),
        "category_id": _("category"), "brand_id": _("brand"),
    }
    attributes = dict(Attribute.objects.values_list("slug", "name"))
    rows = []
    for row in preview:
        changes = []
        for field, (old, new) in row["changes"].items():
            slug = field.removeprefix("attribute:")
            label = labels.get(field) or attributes.get(slug, slug)
            changes.append((label, old, new))
        rows.append({**row, "changes": changes})
    return rows


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "sku", "old_price", "new_price", "source")
    list_filter = ("source",)
    search_fields = ("sku",)
    date_hierarchy = "created_at"
    raw_id_fields = ("product", "variant", "price_list_import")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("events"), choices=WebhookEvent.choices,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Webhook
        fields = ("name", "url", "events", "secret", "is_active")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("name", "url", "is_active", "updated_at")
    list_filter = ("is_active",)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "duration_ms", "status_code", "error", "response")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log as it is: read-only, with the receivers' answers, and "send again"."""

    list_display = ("created_at", "webhook", "event", "status", "attempts", "due_at", "delivered_at", "last_error")
    list_filter = ("status", "event", "webhook")
    search_fields = ("idempotency_key",)
    list_select_related = ("webhook",)
    date_hierarchy = "created_at"
    inlines = (WebhookAttemptInline,)
    actions = ("send_again",)
    fields = ("webhook", "event", "status", "idempotency_key", "attempts", "due_at", "delivered_at", "last_error",
              "payload")
    readonly_fields = fields
    change_form_template = "admin/integrations/webhookdelivery/change_form.html"

    def get_urls(self):
        own = [path("<int:pk>/resend/", self.admin_site.admin_view(require_POST(self.resend_view)),
                    name="integrations_webhookdelivery_resend")]
        return own + super().get_urls()

    @admin.action(description=_("Send again (failed or delivered only)"), permissions=("resend",))
    def send_again(self, request, queryset):
        resent = sum(webhook_resend(delivery_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext(
            "%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", resent,
        ) % {"count": resent}, messages.INFO)

    def resend_view(self, request, pk: int):
        if not self.has_resend_permission(request):
            raise PermissionDenied
        if webhook_resend(delivery_id=pk):
            self.message_user(request, _("The delivery will be sent again."), messages.INFO)
        else:
            self.message_user(request, _("Only a failed or delivered delivery can be sent again."), messages.WARNING)
        return redirect("admin:integrations_webhookdelivery_change", pk)

    def has_resend_permission(self, request) -> bool:
        # Rows are never edited here, so the model's change permission means "may send again".
        return request.user.has_perm("integrations.change_webhookdelivery")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Exports ---------------------------------------------------------------------------
# Orders and customers are exported from their own lists, as actions: "select all" there takes the
# list's filters and search, so the file holds exactly what the manager filtered.


def _export_action(table, file_format: str, filename: str, description):
    def export(modeladmin, request, queryset):
        header, rows = table(queryset)
        return table_response(header=header, rows=rows, filename=filename, file_format=file_format)

    export.__name__ = f"export_{filename}_{file_format}"
    return admin.action(description=description)(export)


def _add_actions(model, *actions) -> None:
    model_admin = admin.site.get_model_admin(model)
    model_admin.actions = (*(model_admin.actions or ()), *actions)


_add_actions(
    Order,
    _export_action(orders_table, "csv", "orders", _("Export to CSV")),
    _export_action(orders_table, "xlsx", "orders", _("Export to Excel (XLSX)")),
)
_add_actions(
    User,
    _export_action(customers_table, "csv", "customers", _("Export for mailing, within consents (CSV)")),
    _export_action(customers_table, "xlsx", "customers", _("Export for mailing, within consents (XLSX)")),
)
