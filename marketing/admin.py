from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketing.follow_ups import follow_up_close
from marketing.models import DeliveryAttempt, FollowUp, MessageTemplate, OutboundMessage
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
        self.message_user(request, ngettext(
            "%(count)d message will be sent again.", "%(count)d messages will be sent again.", retried,
        ) % {"count": retried}, messages.INFO)

    def has_resend_permission(self, request) -> bool:
        # Rows are never edited here, so the model's change permission means "may send again".
        return request.user.has_perm("marketing.change_outboundmessage")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AssigneeFilter(admin.SimpleListFilter):
    """"My tasks" unless asked otherwise: a manager's list opens on their own open tasks."""

    title = _("assigned to")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return (("me", _("Me")), ("nobody", _("Nobody")), ("all", _("Everyone")))

    def value(self):
        return super().value() or "me"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset


class FollowUpStatusFilter(admin.SimpleListFilter):
    """Open tasks unless asked otherwise."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (*FollowUp.Status.choices, ("any", _("Any")))

    def value(self):
        return super().value() or FollowUp.Status.OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset if self.value() == "any" else queryset.filter(status=self.value())


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """"My tasks": the signed-in manager's follow-ups, soonest due first. They are opened by the
    sweeps and closed by "Mark done" (here or on the follow-up's page) or by the order moving on."""

    list_display = ("kind", "order_link", "customer_phone", "due", "status", "assignee", "closed_at")
    list_filter = (AssigneeFilter, FollowUpStatusFilter, "kind")
    list_select_related = ("order", "assignee")
    search_fields = ("order__number", "order__phone", "order__name")
    ordering = ("due_at", "id")
    actions = ("mark_done",)
    fields = ("kind", "order_link", "customer_phone", "assignee", "due_at", "status", "closed_at", "closed_by", "note")
    readonly_fields = ("kind", "order_link", "customer_phone", "assignee", "due_at", "status", "closed_at",
                       "closed_by")
    change_form_template = "admin/marketing/followup/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("orders.supervise_orders"):
            return queryset
        return queryset.filter(assignee=request.user)

    @admin.display(description=_("order"), ordering="order__number")
    def order_link(self, follow_up: FollowUp) -> str:
        url = reverse("admin:orders_order_change", args=(follow_up.order_id,))
        return format_html('<a href="{}">{}</a>', url, follow_up.order.number)

    @admin.display(description=_("phone"))
    def customer_phone(self, follow_up: FollowUp) -> str:
        phone = follow_up.order.phone
        return format_html('<a href="tel:{}">{}</a>', phone, phone) if phone else "—"

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, follow_up: FollowUp) -> str:
        due = date_format(timezone.localtime(follow_up.due_at), "DATETIME_FORMAT")
        return format_html('<strong class="errornote">{}</strong>', due) if follow_up.is_overdue else due

    @admin.action(description=_("Mark done"), permissions=("change",))
    def mark_done(self, request, queryset):
        done = sum(follow_up_close(follow_up_id=pk, by=request.user) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext(
            "%(count)d task marked done.", "%(count)d tasks marked done.", done,
        ) % {"count": done}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "_mark_done" in request.POST and follow_up_close(follow_up_id=obj.pk, by=request.user):
            self.message_user(request, _("The task is done."), messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from marketing.broadcasts import admin as broadcasts_admin  # noqa: E402, F401  (registers the broadcast pages)
from marketing.campaigns import admin as campaigns_admin  # noqa: E402, F401  (registers the campaign pages)
from marketing.segments import admin as segments_admin  # noqa: E402, F401  (registers the segment pages)
