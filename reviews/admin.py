"""The moderation queue: reviews waiting first, published or rejected in bulk by a role allowed to
(reviews.moderate_review, customers/roles.py). Nobody edits a customer's words or adds a review
here; a review is taken down by rejecting it, which keeps the product's rating right."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reviews.models import Review
from reviews.services import MODERATE_PERMISSION, reviews_moderate


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "stars", "product", "author_name", "excerpt", "order_link")
    list_display_links = ("created_at",)
    list_filter = ("status", "rating")
    list_select_related = ("product", "order")
    search_fields = ("product__name", "product__sku", "author_name", "user__email", "text")
    readonly_fields = ("product", "user", "order_link", "rating", "text", "author_name", "status", "created_at",
                       "moderated_at", "moderated_by")
    fields = readonly_fields
    actions = ("publish", "reject")

    def get_ordering(self, request):
        waiting_first = Case(When(status=Review.Status.PENDING, then=Value(0)), default=Value(1),
                             output_field=IntegerField())
        return (waiting_first.asc(), "-created_at", "-id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm(MODERATE_PERMISSION)

    @admin.display(description=_("rating"), ordering="rating")
    def stars(self, review: Review) -> str:
        return "★" * review.rating + "☆" * (5 - review.rating)

    @admin.display(description=_("review"))
    def excerpt(self, review: Review) -> str:
        return Truncator(review.text).chars(120)

    @admin.display(description=_("order"))
    def order_link(self, review: Review) -> str:
        if review.order_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[review.order_id]),
                           review.order)

    def _moderate(self, request, queryset, *, status: str) -> None:
        try:
            changed = reviews_moderate(review_ids=queryset.values_list("pk", flat=True), status=status,
                                       moderator=request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        text = {
            Review.Status.PUBLISHED: ngettext("%(count)d review published.", "%(count)d reviews published.", changed),
            Review.Status.REJECTED: ngettext("%(count)d review rejected.", "%(count)d reviews rejected.", changed),
        }[status]
        self.message_user(request, text % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected reviews"), permissions=["moderate"])
    def publish(self, request, queryset) -> None:
        self._moderate(request, queryset, status=Review.Status.PUBLISHED)

    @admin.action(description=_("Reject the selected reviews"), permissions=["moderate"])
    def reject(self, request, queryset) -> None:
        self._moderate(request, queryset, status=Review.Status.REJECTED)
