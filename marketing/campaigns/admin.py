"""The marketer's campaign pages: a campaign with its steps and texts on one page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketing.campaigns.models import Campaign, CampaignEntry, CampaignStep, CampaignText


class CampaignStepInline(admin.TabularInline):
    model = CampaignStep
    extra = 0
    max_num = 3
    fields = ("position", "delay_hours", "channel")


class CampaignTextInline(admin.StackedInline):
    model = CampaignText
    extra = 0
    fields = (("step", "language"), "subject", "body", "sms_body")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "send_window_start", "send_window_end", "holdout_percent")
    list_filter = ("is_active", "kind")
    list_editable = ("is_active",)
    search_fields = ("name",)
    inlines = (CampaignStepInline, CampaignTextInline)
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active", ("starts_at", "ends_at"))}),
        (_("When and to whom"), {"fields": (
            ("send_window_start", "send_window_end"), "holdout_percent", "audience", "city", "min_spent",
            "condition_days", "condition_amount",
        )}),
        (_("Personal promo code"), {"fields": ("promo_percent", "promo_valid_days")}),
    )


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
