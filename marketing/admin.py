from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from marketing.models import DeliveryAttempt, MessageTemplate, OutboundMessage
from marketing.services import message_retry
from marketing.templating import TemplateTextError, sms_segments


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "channel", "language", "subject", "updated_at")
    list_filter = ("channel", "language", "kind")
    search_fields = ("subject", "body")
    readonly_fields = ("placeholders_help", "preview")
    fields = ("kind", "channel", "language", "subject", "body", "placeholders_help", "preview")

    @admin.display(description=_("placeholders"))
    def placeholders_help(self, obj: MessageTemplate) -> str:
        if not obj.kind:
            return "—"
        return ", ".join(f"{{{{ {name} }}}}" for name in sorted(obj.placeholders))

    @admin.display(description=_("preview with sample values"))
    def preview(self, obj: MessageTemplate) -> str:
        if not obj.pk:
            return _("Save the text to see a preview.")
        try:
            subject, body = obj.preview()
        except TemplateTextError as error:
            return format_html('<span class="errornote">{}</span>', error)
        if obj.channel == MessageTemplate.Channel.SMS:
            length = _("%(chars)d characters, %(segments)d SMS") % {"chars": len(body), "segments": sms_segments(body)}
            return format_html('<pre style="white-space: pre-wrap">{}</pre><p>{}</p>', body, length)
        return format_html('<p><strong>{}</strong></p><pre style="white-space: pre-wrap">{}</pre>', subject, body)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "finished_at", "result", "detail")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """The outbox as it is: read-only, so what the admin shows is what was sent."""

    list_display = (
        "created_at", "kind", "channel", "recipient", "status", "attempts", "due_at", "sent_at", "reference",
    )
    list_filter = ("status", "channel", "kind", "language")
    search_fields = ("recipient", "reference", "idempotency_key", "provider_message_id")
    date_hierarchy = "created_at"
    inlines = (DeliveryAttemptInline,)
    actions = ("send_again",)

    @admin.action(description=_("Send again (failed or unknown messages only)"), permissions=("resend",))
    def send_again(self, request, queryset):
        # "Unknown" may already have reached the customer: sending again is a person's decision.
        retried = sum(message_retry(message_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)d message(s) will be sent again.") % {"count": retried}, messages.INFO)

    def has_resend_permission(self, request) -> bool:
        # Rows are never edited here, so the model's change permission means "may send again".
        return request.user.has_perm("marketing.change_outboundmessage")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
