"""Default trigger campaigns, switched off, with their texts in Russian and English.

Frozen here (not imported from the app) so the migration stays what it was. A campaign the
shop already has (same kind and name) is left as it is."""

import datetime

from django.db import migrations

CAMPAIGNS = [
    {
        "kind": "abandoned_cart",
        "name": {"ru": "Брошенная корзина", "en": "Abandoned cart"},
        "window": (datetime.time(9), datetime.time(22)),
        "steps": [(1, 1, "email"), (2, 24, "email"), (3, 72, "email")],
        "texts": {
            "ru": [
                ("Вы забыли товары в корзине",
                 "Здравствуйте!\n\nВы положили в корзину {{ items_count }} шт. на {{ items_total }}, "
                 "но не оформили заказ. Мы сохранили корзину: вернитесь к ней в один клик.",
                 "Вы оставили товары в корзине {{ shop_name }} на {{ items_total }}. Вернуться:"),
                ("Корзина ещё ждёт вас",
                 "Здравствуйте!\n\nТовары в вашей корзине ещё в наличии, но могут закончиться. "
                 "Цены ниже — сегодняшние.",
                 "Товары в вашей корзине {{ shop_name }} ещё ждут вас:"),
                ("Последнее напоминание о корзине",
                 "Здравствуйте!\n\nНапоминаем в последний раз: корзина на {{ items_total }} ждёт вас."
                 "{% if promo_code %}\n\nПромокод {{ promo_code }} действует до {{ promo_valid_until }}.{% endif %}",
                 "Корзина {{ shop_name }} на {{ items_total }} ждёт вас:"),
            ],
            "en": [
                ("You left something in your cart",
                 "Hello,\n\nYou put {{ items_count }} items worth {{ items_total }} in your cart but did not "
                 "check out. We kept the cart for you: return to it in one click.",
                 "You left items worth {{ items_total }} in your {{ shop_name }} cart. Return:"),
                ("Your cart is still waiting",
                 "Hello,\n\nThe items in your cart are still in stock, but they may sell out. "
                 "The prices below are today's.",
                 "The items in your {{ shop_name }} cart are still waiting:"),
                ("A last reminder about your cart",
                 "Hello,\n\nA last reminder: your cart worth {{ items_total }} is waiting."
                 "{% if promo_code %}\n\nCode {{ promo_code }} is valid until {{ promo_valid_until }}.{% endif %}",
                 "Your {{ shop_name }} cart worth {{ items_total }} is waiting:"),
            ],
        },
    },
]


def campaigns_create(apps, schema_editor):
    Campaign = apps.get_model("marketing", "Campaign")
    CampaignStep = apps.get_model("marketing", "CampaignStep")
    CampaignText = apps.get_model("marketing", "CampaignText")
    for spec in CAMPAIGNS:
        name = spec["name"]["ru"]
        if Campaign.objects.filter(kind=spec["kind"], name=name).exists():
            continue
        start, end = spec["window"]
        campaign = Campaign.objects.create(
            kind=spec["kind"], name=name, is_active=False, send_window_start=start, send_window_end=end,
        )
        for position, hours, channel in spec["steps"]:
            CampaignStep.objects.create(campaign=campaign, position=position, delay_hours=hours, channel=channel)
        for language, texts in spec["texts"].items():
            for position, (subject, body, sms) in enumerate(texts, start=1):
                CampaignText.objects.create(
                    campaign=campaign, step=position, language=language, subject=subject, body=body, sms_body=sms,
                )


class Migration(migrations.Migration):
    dependencies = [("marketing", "0006_campaigns")]

    operations = [migrations.RunPython(campaigns_create, migrations.RunPython.noop)]
