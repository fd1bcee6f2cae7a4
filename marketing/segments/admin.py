"""The marketer's segment pages."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketing.segments.conditions import Context, conditions_clean, conditions_q
from marketing.segments.models import Segment
from marketing.segments.selectors import segment_members
from marketing.segments.services import segment_delete, segment_save


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ("name", "description", "conditions")

    def clean_conditions(self):
        cleaned = conditions_clean(self.cleaned_data["conditions"])
        conditions_q(cleaned, context=Context(within=(self.instance.pk,) if self.instance.pk else ()))
        return cleaned


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    list_display = ("name", "updated_at")
    search_fields = ("name",)
    readonly_fields = ("members_count",)

    @admin.display(description=_("customers now"))
    def members_count(self, segment: Segment) -> int | str:
        return segment_members(segment=segment).count() if segment.pk else "—"

    def save_model(self, request, obj, form, change):
        saved = segment_save(
            segment=obj if change else None, name=form.cleaned_data["name"],
            description=form.cleaned_data["description"], conditions=form.cleaned_data["conditions"],
            author=request.user,
        )
        obj.pk, obj.created_by_id = saved.pk, saved.created_by_id

    def delete_model(self, request, obj):
        try:
            segment_delete(segment=obj)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), level="error")
