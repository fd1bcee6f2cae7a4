"""The marketer's broadcast page: the audience, the text per language, the timing and an A/B
test; then Schedule, a live progress bar (queued, sent, failed) while it goes out, pause,
resume and cancel, and afterwards the statistics of a campaign with the click map."""

from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from marketing.abtests.services import ab_test_of
from marketing.broadcasts.models import Broadcast, ChannelThrottle
from marketing.broadcasts.selectors import broadcast_progress, click_map_html, human_clicks_by_link
from marketing.broadcasts.services import (
    BroadcastRefused,
    broadcast_cancel,
    broadcast_pause,
    broadcast_resume,
    broadcast_schedule,
    broadcast_step_sync,
)
from marketing.campaigns.admin import (
    PREVIEW_POLICY,
    ABTestInline,
    ABVariantInline,
    CampaignTextInline,
    ab_test_statistics,
)
from marketing.campaigns.stats import campaign_stats
from marketing.segments.selectors import segment_members, segment_reachable


class _DraftOnly:
    """Inlines are edited while the broadcast is a draft; afterwards they show what went out."""

    def has_add_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)


class BroadcastTextInline(_DraftOnly, CampaignTextInline):
    fields = ("language", "subject", "body", "sms_body")
    extra = 1


class BroadcastABTestInline(_DraftOnly, ABTestInline):
    pass


class BroadcastABVariantInline(_DraftOnly, ABVariantInline):
    pass


CONTROLS = {
    "schedule": Broadcast.Status.DRAFT,
    "pause": Broadcast.Status.SENDING,
    "resume": Broadcast.Status.PAUSED,
}


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("name", "segment", "channel", "timing", "starts_at", "status", "recipients")
    list_filter = ("status", "channel")
    search_fields = ("name",)
    inlines = (BroadcastTextInline, BroadcastABTestInline, BroadcastABVariantInline)
    change_form_template = "admin/marketing/broadcast/change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "segment", "audience_size", "channel")}),
        (_("When"), {"fields": ("timing", "starts_at", "send_window_start"),
                     "description": _("Best time: each recipient at the hour they opened or clicked most; "
                                      "the “send from” time for those with no history (default 09:00).")}),
        (_("Extras"), {"fields": ("holdout_percent", "promo_percent", "promo_valid_days")}),
        (_("Progress"), {"fields": ("status", "progress")}),
        (_("Statistics"), {"fields": ("statistics",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("segment")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The campaign's fields as a broadcast uses them.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "starts_at" and field is not None:
            field.label, field.help_text = _("send at"), _("For “now”, the moment it is scheduled.")
        elif db_field.name == "send_window_start" and field is not None:
            field.label = _("best time for those with no history")
            field.help_text = _("In the customer's time zone. Empty: the shop's default.")
        return field

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.is_editable:
            broadcast_step_sync(broadcast=form.instance)

    def get_readonly_fields(self, request, obj=None):
        fixed = ["audience_size", "status", "progress", "statistics"]
        if obj is not None and not obj.is_editable:
            fixed += ["name", "segment", "channel", "timing", "starts_at", "send_window_start", "holdout_percent",
                      "promo_percent", "promo_valid_days"]
        return fixed

    @admin.display(description=_("audience"))
    def audience_size(self, broadcast: Broadcast) -> str:
        if not broadcast.pk:
            return _("Save to see how many it reaches.")
        return gettext("%(members)s in the segment, %(reachable)s of them accept marketing by this channel.") % {
            "members": segment_members(segment=broadcast.segment).count(),
            "reachable": segment_reachable(segment=broadcast.segment, channel=broadcast.channel).count(),
        }

    @admin.display(description=_("progress"))
    def progress(self, broadcast: Broadcast) -> str:
        if not broadcast.pk:
            return "—"
        return render_to_string("admin/marketing/broadcast/progress.html", {
            "broadcast": broadcast, "progress": broadcast_progress(broadcast=broadcast),
            "url": reverse("admin:marketing_broadcast_progress", args=[broadcast.pk]),
        })

    @admin.display(description=_("statistics"))
    def statistics(self, broadcast: Broadcast) -> str:
        if not broadcast.pk or broadcast.status in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED):
            return "—"
        return render_to_string("admin/marketing/campaign/statistics.html", {
            "stats": campaign_stats(campaign=broadcast), "ab_statistics": ab_test_statistics(broadcast),
            "click_map_url": reverse("admin:marketing_broadcast_click_map", args=[broadcast.pk]),
        })

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", view(self.progress_view), name="marketing_broadcast_progress"),
            path("<int:pk>/control/<str:action>/", view(self.control_view), name="marketing_broadcast_control"),
            path("<int:pk>/click-map/", view(self.click_map_view), name="marketing_broadcast_click_map"),
            path("<int:pk>/click-map/message/", view(self.click_map_message_view),
                 name="marketing_broadcast_click_map_message"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        broadcast = self.get_object(request, object_id)
        controls = []
        if broadcast is not None and self.has_change_permission(request, broadcast):
            controls = [action for action, status in CONTROLS.items() if broadcast.status == status]
            if broadcast.status in (Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING, Broadcast.Status.PAUSED):
                controls.append("cancel")
        labels = {"schedule": _("Schedule"), "pause": _("Pause"), "resume": _("Resume"), "cancel": _("Cancel")}
        extra = {**(extra_context or {}), "controls": [(action, labels[action]) for action in controls]}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def progress_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        broadcast = get_object_or_404(Broadcast, pk=pk)
        return JsonResponse(broadcast_progress(broadcast=broadcast).as_json())

    def control_view(self, request, pk: int, action: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        broadcast = get_object_or_404(Broadcast, pk=pk)
        if not self.has_change_permission(request, broadcast) or action not in (*CONTROLS, "cancel"):
            return HttpResponse(status=403 if action in (*CONTROLS, "cancel") else 404)
        try:
            if action == "schedule":
                broadcast_schedule(broadcast=broadcast, by=request.user)
                done = True
            else:
                done = {"pause": broadcast_pause, "resume": broadcast_resume, "cancel": broadcast_cancel}[action](
                    broadcast=broadcast)
        except BroadcastRefused as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            if done:
                broadcast.refresh_from_db()
                self.message_user(request, gettext("The broadcast is now: %(status)s.") % {
                    "status": broadcast.get_status_display()}, messages.SUCCESS)
            else:
                self.message_user(request, gettext("Its state changed meanwhile; nothing was done."), messages.WARNING)
        return redirect("admin:marketing_broadcast_change", pk)

    def click_map_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        broadcast = get_object_or_404(Broadcast, pk=pk)
        test = ab_test_of(broadcast)
        variants = list(broadcast.variants.order_by("position")) if test else []
        chosen = request.GET.get("variant", "")
        variant = next((v for v in variants if str(v.pk) == chosen), None)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "broadcast": broadcast,
            "title": gettext("Click map: %(name)s") % {"name": broadcast.name},
            "variants": variants, "variant": variant,
            "clicks_by_link": _clicks_by_link(broadcast, variant),
        }
        return TemplateResponse(request, "admin/marketing/broadcast/click_map.html", context)

    def click_map_message_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        broadcast = get_object_or_404(Broadcast, pk=pk)
        chosen = request.GET.get("variant", "")
        variant = broadcast.variants.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        html = click_map_html(campaign_id=broadcast.pk, clicks_by_link=_clicks_by_link(broadcast, variant),
                              variant_id=variant.pk if variant else None)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = PREVIEW_POLICY
        return xframe_options_sameorigin(lambda _request: response)(request)


def _clicks_by_link(broadcast: Broadcast, variant) -> dict[int, int]:
    return human_clicks_by_link(campaign_id=broadcast.pk, variant_id=variant.pk if variant else None)


@admin.register(ChannelThrottle)
class ChannelThrottleAdmin(admin.ModelAdmin):
    """How fast broadcasts go out per channel: the provider's limit, or the shop's choice."""

    list_display = ("channel", "per_minute")
    fields = ("channel", "per_minute")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.is_editable:
            broadcast_step_sync(broadcast=form.instance)

    def get_readonly_fields(self, request, obj=None):
        return ("channel",) if obj else ()
