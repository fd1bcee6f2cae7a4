from django.contrib import admin

from shipping.models import Parcel, TrackingEvent


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    fields = ("happened_at", "description", "stage", "received_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    """What each carrier said about each parcel; the shop's moves follow from it, not from here."""

    list_display = ("tracking_number", "carrier", "order", "stage", "last_checked_at", "next_check_at", "failures")
    list_filter = ("carrier", "stage")
    search_fields = ("tracking_number", "order__number")
    list_select_related = ("order",)
    fields = ("order", "carrier", "tracking_number", "stage", "last_checked_at", "next_check_at", "failures",
              "last_error")
    readonly_fields = fields
    inlines = [TrackingEventInline]

    def has_add_permission(self, request):
        return False
