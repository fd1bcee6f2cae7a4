"""The marketer's campaign pages: a campaign with its steps, texts and statistics on one page,
and a preview of its message for a real customer, with a test sent to the marketer."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from customers.models import User
from marketing.abtests.models import ABTest, ABVariant
from marketing.abtests.services import ab_test_of, ab_test_start
from marketing.abtests.stats import ab_test_stats
from marketing.campaigns.models import BackInStockRequest, Campaign, CampaignEntry, CampaignStep, CampaignText
from marketing.campaigns.services import PreviewUnavailable, campaign_preview, campaign_test_send
from marketing.campaigns.stats import campaign_stats
from marketing.kinds import MessageKind

# The e-mail is shown as mail clients show it: its own inline styles, pictures from anywhere,
# no scripts at all. Only this frame gets the policy; the admin page keeps the shop's.
PREVIEW_POLICY = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


class CampaignStepInline(admin.TabularInline):
    model = CampaignStep
    extra = 0
    max_num = 3
    fields = ("position", "delay_hours", "channel")


class CampaignTextInline(admin.StackedInline):
    model = CampaignText
    extra = 0
    fields = (("step", "language"), "subject", "body", "sms_body")


class ABTestInline(admin.StackedInline):
    model = ABTest
    extra = 0
    max_num = 1
    can_delete = True
    fields = (("test_percent", "metric", "wait_hours"), ("started_at", "decided_at", "winner", "outcome", "p_value"))
    readonly_fields = ("started_at", "decided_at", "winner", "outcome", "p_value")


class ABVariantInline(admin.StackedInline):
    model = ABVariant
    extra = 0
    max_num = 5
    fields = (("position", "sender_name", "button"), "subject", "body", "sms_body")


def ab_test_statistics(campaign: Campaign) -> str:
    """The variants' figures with the significance of each difference from A, and the verdict."""
    test = ab_test_of(campaign)
    if test is None:
        return ""
    return render_to_string("admin/marketing/campaign/ab_statistics.html", {
        "test": test, "rows": ab_test_stats(test=test),
    })


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "send_window_start", "send_window_end", "holdout_percent")
    list_filter = ("is_active", "kind")
    list_editable = ("is_active",)
    search_fields = ("name",)
    inlines = (CampaignStepInline, CampaignTextInline, ABTestInline, ABVariantInline)
    readonly_fields = ("statistics", "preview_link")
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active", ("starts_at", "ends_at"), "preview_link")}),
        (_("When and to whom"), {"fields": (
            ("send_window_start", "send_window_end"), "holdout_percent", "segment",
            "condition_days", "condition_amount", "condition_percent",
        )}),
        (_("Personal promo code"), {"fields": ("promo_percent", "promo_valid_days")}),
        (_("Statistics"), {"fields": ("statistics",)}),
    )

    @admin.display(description=_("statistics"))
    def statistics(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return "—"
        stats = campaign_stats(campaign=campaign)
        return render_to_string("admin/marketing/campaign/statistics.html", {
            "stats": stats, "ab_statistics": ab_test_statistics(campaign),
        })

    def get_queryset(self, request):
        # Broadcasts are campaigns too (their statistics are counted the same way), on their own page.
        return super().get_queryset(request).exclude(kind=MessageKind.BROADCAST)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A trigger campaign's test starts when it is saved on a running campaign: from then on
        # its share of people gets the variants, and the waiting time counts.
        campaign = form.instance
        test = ab_test_of(campaign)
        if test is not None and test.started_at is None and campaign.is_running(timezone.now()):
            ab_test_start(test=test)

    @admin.display(description=_("preview"))
    def preview_link(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return _("Save the campaign to preview it.")
        url = reverse("admin:marketing_campaign_preview", args=[campaign.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Preview for a customer"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="marketing_campaign_preview"),
            path("<int:pk>/preview/message/", view(self.preview_message_view),
                 name="marketing_campaign_preview_message"),
            *super().get_urls(),
        ]

    def _preview_input(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        customer = User.objects.filter(pk=request.GET.get("customer") or request.POST.get("customer") or 0).first()
        step = request.GET.get("step") or request.POST.get("step") or "1"
        return campaign, customer, int(step) if step.isdigit() else 1

    def preview_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        campaign, customer, step = self._preview_input(request, pk)
        if request.method == "POST" and customer is not None:
            try:
                with transaction.atomic():
                    campaign_test_send(campaign=campaign, customer=customer, step=step, to=request.user)
                self.message_user(request, gettext("A test was sent to %(email)s.") % {"email": request.user.email},
                                  messages.SUCCESS)
            except PreviewUnavailable as error:
                self.message_user(request, str(error), messages.ERROR)
            return redirect(f"{request.path}?customer={customer.pk}&step={step}")
        query = (request.GET.get("q") or "").strip()
        found = []
        if query:
            found = list(
                User.objects.filter(is_staff=False).filter(email__icontains=query).order_by("email")[:10]
                | User.objects.filter(is_staff=False, last_name__icontains=query).order_by("email")[:10]
            )[:10]
        message, error = None, ""
        if customer is not None:
            try:
                message = campaign_preview(campaign=campaign, customer=customer, step=step)
            except PreviewUnavailable as problem:
                error = str(problem)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "campaign": campaign,
            "title": gettext("Preview: %(campaign)s") % {"campaign": campaign}, "query": query, "found": found,
            "customer": customer, "step": step, "steps": [s.position for s in campaign.steps.all()],
            "message": message, "error": error,
        }
        return TemplateResponse(request, "admin/marketing/campaign/preview.html", context)

    def preview_message_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        campaign, customer, step = self._preview_input(request, pk)
        try:
            message = campaign_preview(campaign=campaign, customer=customer, step=step) if customer else None
        except PreviewUnavailable:
            message = None
        response = HttpResponse(message.html_body if message else "", content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = PREVIEW_POLICY
        return xframe_options_sameorigin(lambda _request: response)(request)


@admin.register(CampaignEntry)
class CampaignEntryAdmin(admin.ModelAdmin):
    """Who is in which campaign and why: read-only, written by the engine."""

    list_display = ("created_at", "campaign", "cause", "person", "status", "next_step", "due_at", "note")
    list_filter = ("status", "campaign")
    search_fields = ("person", "email", "cause")
    list_select_related = ("campaign",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BackInStockRequest)
class BackInStockRequestAdmin(admin.ModelAdmin):
    """Who waits for which sold-out product: read-only, written by the shoppers' form."""

    list_display = ("created_at", "product", "email", "status", "confirmed_at")
    list_filter = ("status",)
    search_fields = ("email", "product__name", "product__sku")
    list_select_related = ("product",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
