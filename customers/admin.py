from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from customers.forms import PhoneCleaned
from customers.models import DataRequest, ProductView, User, Visit


class UserChangeFormPhoneCleaned(PhoneCleaned, UserChangeForm):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeFormPhoneCleaned
    ordering = ("-date_joined",)
    list_display = ("email", "first_name", "last_name", "phone", "is_staff", "date_joined")
    search_fields = ("email", "first_name", "last_name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone", "gender", "birth_date", "city")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("started_at", "channel", "device", "utm_source", "utm_campaign", "landing_page", "user")
    list_filter = ("channel", "device", "started_at")
    search_fields = ("utm_source", "utm_campaign", "landing_page", "user__email")
    date_hierarchy = "started_at"
    list_select_related = ("user",)
    readonly_fields = [field.name for field in Visit._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ProductView)
class ProductViewAdmin(admin.ModelAdmin):
    list_display = ("viewed_at", "product", "user", "visit")
    list_select_related = ("product", "user", "visit")
    raw_id_fields = ("product", "user", "visit")
    date_hierarchy = "viewed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """Requests to delete an account, worked by hand: check for orders still open, delete or
    anonymise, then mark the request done (the customer is told by e-mail)."""

    list_display = ("created_at", "kind", "status", "email", "user", "processed_at")
    list_filter = ("kind", "status")
    search_fields = ("email",)
    raw_id_fields = ("user",)
    readonly_fields = ("user", "email", "kind", "created_at")
    fields = ("user", "email", "kind", "created_at", "status", "processed_at", "comment")
