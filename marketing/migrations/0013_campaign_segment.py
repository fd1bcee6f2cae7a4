"""A campaign's simple audience filter (who had ordered, city, spent at least) becomes a saved
segment with the same conditions, then the old columns go."""

import django.db.models.deletion
from django.db import migrations, models


def audience_conditions(*, audience: str, city: str, min_spent) -> list[dict]:
    conditions = []
    if audience == "has_ordered":
        conditions.append({"field": "orders_count", "min": 1})
    if audience == "never_ordered":
        conditions.append({"field": "orders_count", "max": 0})
    if city.strip():
        conditions.append({"field": "city", "values": [city.strip()]})
    if min_spent is not None:
        conditions.append({"field": "total_spent", "min": str(min_spent)})
    return conditions


def audiences_to_segments(apps, schema_editor):
    Campaign = apps.get_model("marketing", "Campaign")
    Segment = apps.get_model("marketing", "Segment")
    for campaign in Campaign.objects.all():
        conditions = audience_conditions(audience=campaign.audience, city=campaign.city, min_spent=campaign.min_spent)
        if not conditions:
            continue
        name = f"{campaign.name} · {campaign.pk}"[:150]
        segment = Segment.objects.create(name=name, conditions={"match": "all", "conditions": conditions})
        campaign.segment = segment
        campaign.save(update_fields=["segment"])


def segments_to_audiences(apps, schema_editor):
    Campaign = apps.get_model("marketing", "Campaign")
    for campaign in Campaign.objects.filter(segment__isnull=False).select_related("segment"):
        for condition in campaign.segment.conditions.get("conditions", []):
            if condition.get("field") == "orders_count":
                campaign.audience = "has_ordered" if condition.get("min") else "never_ordered"
            elif condition.get("field") == "city":
                campaign.city = condition["values"][0]
            elif condition.get("field") == "total_spent":
                campaign.min_spent = condition.get("min")
        campaign.save(update_fields=["audience", "city", "min_spent"])


class Migration(migrations.Migration):

    dependencies = [
        ('marketing', '0012_ab_tests'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='segment',
            field=models.ForeignKey(blank=True, help_text='Only the customers in this segment get the campaign. Empty: everyone.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='marketing.segment', verbose_name='segment'),
        ),
        migrations.RunPython(audiences_to_segments, segments_to_audiences),
        migrations.RemoveField(
            model_name='campaign',
            name='audience',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='city',
        ),
        migrations.RemoveField(
            model_name='campaign',
            name='min_spent',
        ),
    ]
