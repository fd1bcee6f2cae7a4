from django.contrib import admin
from django.urls import path

from analytics import views
from analytics.models import DeliveryCost, MarketingCost, ProductCost, RollupDay, Scenario


@admin.register(MarketingCost)
class MarketingCostAdmin(admin.ModelAdmin):
    list_display = ("day", "channel", "utm_source", "utm_campaign", "amount", "comment")
    list_filter = ("channel", "day")
    search_fields = ("utm_source", "utm_campaign", "comment")
    date_hierarchy = "day"
    change_list_template = "analytics/marketingcost_changelist.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view

        def with_admin(view):
            return wrap(lambda request, *args, **kwargs: view(request, *args, model_admin=self, **kwargs))

        return [
            path("import/", with_admin(views.marketing_costs_import), name="analytics_marketingcost_import"),
            path("reports/<slug:name>/", with_admin(views.report_page), name="analytics_report"),
            path("what-if/", with_admin(views.whatif_page), name="analytics_whatif"),
            *super().get_urls(),
        ]


@admin.register(ProductCost)
class ProductCostAdmin(admin.ModelAdmin):
    list_display = ("product", "unit_cost", "updated_at")
    search_fields = ("product__name", "product__sku")
    autocomplete_fields = ("product",)


@admin.register(DeliveryCost)
class DeliveryCostAdmin(admin.ModelAdmin):
    list_display = ("order", "amount", "updated_at")
    search_fields = ("order__number",)
    raw_id_fields = ("order",)


@admin.register(RollupDay)
class RollupDayAdmin(admin.ModelAdmin):
    """Read-only: which shop days the reports read from the rollups, and when each was filled."""

    list_display = ("day", "state", "filled_at")
    list_filter = ("state",)
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "created_at")
    readonly_fields = ("inputs", "created_by", "created_at")
    search_fields = ("name",)
