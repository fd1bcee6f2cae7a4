"""The marketer's segment pages: an editor of AND / OR conditions with the live size of the
segment and of its reachable part, and the members' list and CSV export for the roles allowed
to see customers."""

import csv
import json

from django import forms
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Brand, Category, Product
from catalog.search import products_search
from marketing.kinds import Channel
from marketing.segments.conditions import Context, conditions_catalog, conditions_clean, conditions_q
from marketing.segments.models import Segment
from marketing.segments.selectors import CountTooSlow, conditions_counts, segment_members_rows
from marketing.segments.services import segment_delete, segment_save

# Who may see the people in a segment: the same permission as the customers' list.
SEE_CUSTOMERS = "customers.view_user"
MEMBERS_PER_PAGE = 50


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ("name", "description", "conditions")
        widgets = {"conditions": forms.Textarea(attrs={"rows": 6, "class": "segment-conditions-json"})}

    def clean_conditions(self):
        return _checked(self.cleaned_data["conditions"], segment_id=self.instance.pk)


def _checked(conditions, *, segment_id: int | None) -> dict:
    """The conditions as segment_save will store them, or the ValidationError it would raise."""
    cleaned = conditions_clean(conditions)
    conditions_q(cleaned, context=Context(within=(segment_id,) if segment_id else ()))
    return cleaned


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    list_display = ("name", "description", "updated_at")
    search_fields = ("name",)
    readonly_fields = ("members_link",)
    fields = ("name", "description", "conditions", "members_link")

    @admin.display(description=_("members"))
    def members_link(self, segment: Segment) -> str:
        if not segment.pk:
            return gettext("Save the segment to list its members.")
        return format_html('<a class="button" href="{}">{}</a>', reverse(
            "admin:marketing_segment_members", args=[segment.pk]), gettext("Members and CSV export"))

    def save_model(self, request, obj, form, change):
        saved = segment_save(
            segment=obj if change else None, name=form.cleaned_data["name"],
            description=form.cleaned_data["description"], conditions=form.cleaned_data["conditions"],
            author=request.user,
        )
        obj.pk, obj.created_by_id, obj.created_at = saved.pk, saved.created_by_id, saved.created_at

    def delete_model(self, request, obj):
        segment_delete(segment=obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), level="error")
            return redirect(reverse("admin:marketing_segment_change", args=[object_id]))

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["segment_editor"] = {
            "conditions": conditions_catalog(),
            "options": {
                "category": [[c.pk, f"{'— ' * c.depth}{c.name}"] for c in Category.objects.only("pk", "name", "depth")],
                "brand": list(Brand.objects.order_by("name").values_list("pk", "name")),
                "segment": list(Segment.objects.exclude(pk=obj.pk if obj else None).values_list("pk", "name")),
                "product": {pk: f"{name} · {sku}" for pk, name, sku in Product.objects.filter(
                    pk__in=_product_ids(obj.conditions if obj else {})).values_list("pk", "name", "sku")},
            },
            "texts": {
                "match": gettext("How the conditions combine"), "all": gettext("All of these"),
                "any": gettext("Any of these"), "addCondition": gettext("Add a condition"),
                "addGroup": gettext("Add a group"), "remove": gettext("Remove"), "condition": gettext("Condition"),
                "channel": gettext("Channel for the reachable count"),
                "members": gettext("Customers: %s"), "reachable": gettext("reachable: %s by"),
                "commaSeparated": gettext("separated by commas"), "findProduct": gettext("Find a product"),
                "pick": gettext("Pick…"), "failed": gettext("Could not count; try again."),
            },
            "channels": [[Channel.EMAIL, gettext("e-mail")], [Channel.SMS, gettext("SMS")]],
            "countUrl": reverse("admin:marketing_segment_count"),
            "productsUrl": reverse("admin:marketing_segment_products"),
            "segmentId": obj.pk if obj else None,
        }
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("count/", view(self.count_view), name="marketing_segment_count"),
            path("products/", view(self.products_view), name="marketing_segment_products"),
            path("<int:pk>/members/", view(self.members_view), name="marketing_segment_members"),
            path("<int:pk>/members.csv", view(self.members_csv_view), name="marketing_segment_members_csv"),
            *super().get_urls(),
        ]

    def count_view(self, request):
        """The editor's live count: the conditions as they are on the screen, not saved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            payload = json.loads(request.body)
            conditions, channel, segment_id = payload["conditions"], payload.get("channel"), payload.get("segment")
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"errors": [gettext("The request is not the editor's JSON.")]}, status=400)
        if channel not in Channel.values or (segment_id is not None and not isinstance(segment_id, int)):
            return JsonResponse({"errors": [gettext("Unknown channel or segment.")]}, status=400)
        try:
            cleaned = _checked(conditions, segment_id=segment_id)
        except ValidationError as error:  # SegmentCycleError included
            return JsonResponse({"errors": error.messages}, status=422)
        try:
            return JsonResponse(conditions_counts(conditions=cleaned, channel=channel, segment_id=segment_id))
        except CountTooSlow as slow:
            return JsonResponse({"errors": [gettext(
                "Counting took longer than %(seconds)s s and was stopped; try fewer or narrower conditions."
            ) % {"seconds": slow.seconds}]}, status=503)

    def products_view(self, request):
        """Products for the "viewed a product" condition, found as the shop's search finds them (by
        words of the name, brand or SKU, on SQLite too), or by the exact SKU."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = (request.GET.get("q") or "").strip()[:100]
        if not query:
            return JsonResponse({"results": []})
        found = list(Product.objects.filter(sku__iexact=query)[:1])
        found += products_search(query=query, products=Product.objects.exclude(sku__iexact=query))[:20 - len(found)]
        return JsonResponse({"results": [[p.pk, f"{p.name} · {p.sku}"] for p in found]})

    def _segment_for_people(self, request, pk: int) -> Segment:
        if not (self.has_view_permission(request) and request.user.has_perm(SEE_CUSTOMERS)):
            raise PermissionDenied
        return get_object_or_404(Segment, pk=pk)

    def members_view(self, request, pk: int):
        segment = self._segment_for_people(request, pk)
        page = Paginator(segment_members_rows(segment=segment), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "segment": segment, "page": page,
            "title": gettext("Members: %(segment)s") % {"segment": segment},
        }
        return TemplateResponse(request, "admin/marketing/segment/members.html", context)

    def members_csv_view(self, request, pk: int):
        """The members as CSV, written row by row as the database streams them. Each export is
        recorded in the admin's history of the segment: who took the list of people, and when."""
        segment = self._segment_for_people(request, pk)
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=[segment], action_flag=CHANGE,
            change_message=gettext("Exported the members as CSV."), single_object=True,
        )
        rows = segment_members_rows(segment=segment).iterator(chunk_size=2000)
        writer = csv.writer(_Echo())
        header = [gettext("id"), gettext("name"), gettext("e-mail"), gettext("phone"), gettext("city"),
                  gettext("language"), gettext("registered"), gettext("e-mail marketing"), gettext("SMS marketing")]
        yes_no = {True: gettext("yes"), False: gettext("no")}

        def lines():
            yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
            for row in rows:
                yield writer.writerow([_cell(value) for value in (
                    row.pk, row.get_full_name(), row.email, row.phone, row.city, row.language,
                    timezone.localtime(row.date_joined).date().isoformat(),
                    yes_no[row.reaches_email], yes_no[row.reaches_sms])])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.csv"'
        return response


def _product_ids(node) -> set[int]:
    if node.get("field") == "viewed_product":
        return set(node.get("values", []))
    return set().union(*(_product_ids(item) for item in node.get("conditions", [])))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """A text a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not text[1:2].isdigit() else text
