"""The default loyalty-threshold campaign, switched off, with Russian and English texts.
Frozen here; a campaign the shop already has (same kind and name) is left as it is."""

import datetime
from decimal import Decimal

from django.db import migrations

TEXTS = {
    "ru": ("Спасибо, что вы с нами",
           "Здравствуйте!\n\nЗа год вы купили в {{ shop_name }} на {{ spent }}. Спасибо, что выбираете нас!"
           "{% if promo_code %}\n\nПодарок — промокод {{ promo_code }}, действует до {{ promo_valid_until }}.{% endif %}",
           "Спасибо, что вы с {{ shop_name }}!"),
    "en": ("Thank you for staying with us",
           "Hello,\n\nThis year you have bought {{ spent }} worth at {{ shop_name }}. Thank you for choosing us!"
           "{% if promo_code %}\n\nA present: code {{ promo_code }}, valid until {{ promo_valid_until }}.{% endif %}",
           "Thank you for staying with {{ shop_name }}!"),
}


def campaign_create(apps, schema_editor):
    Campaign = apps.get_model("marketing", "Campaign")
    CampaignStep = apps.get_model("marketing", "CampaignStep")
    CampaignText = apps.get_model("marketing", "CampaignText")
    if Campaign.objects.filter(kind="loyalty_threshold", name="Порог лояльности").exists():
        return
    campaign = Campaign.objects.create(
        kind="loyalty_threshold", name="Порог лояльности", is_active=False, condition_amount=Decimal("15000"),
        send_window_start=datetime.time(19), send_window_end=datetime.time(22),
    )
    CampaignStep.objects.create(campaign=campaign, position=1, delay_hours=1, channel="email")
    for language, (subject, body, sms) in TEXTS.items():
        CampaignText.objects.create(campaign=campaign, step=1, language=language, subject=subject, body=body,
                                    sms_body=sms)


class Migration(migrations.Migration):
    dependencies = [("marketing", "0008_more_default_campaigns")]

    operations = [migrations.RunPython(campaign_create, migrations.RunPython.noop)]
