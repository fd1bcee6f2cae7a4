"""The default "shipped" texts say nothing about tracking when there is none (a courier).

Only a text still exactly as 0002 wrote it is replaced: a shop that edited its wording keeps it.
"""

from django.db import migrations

GREETING = {
    "ru": "{% if customer_name %}{{ customer_name }}, здравствуйте!{% else %}Здравствуйте!{% endif %}\n\n",
    "en": "{% if customer_name %}Hello {{ customer_name }},{% else %}Hello,{% endif %}\n\n",
}
SIGNATURE = {"ru": "\n\nС уважением,\n{{ shop_name }}", "en": "\n\nBest regards,\n{{ shop_name }}"}

# (channel, language): (text as 0002 wrote it, text now)
SHIPPED = {
    ("sms", "ru"): (
        "Заказ {{ order_number }} отправлен. Трек {{ tracking_number }}: {{ tracking_url }}",
        "Заказ {{ order_number }} отправлен."
        "{% if tracking_number %} Трек {{ tracking_number }}{% if tracking_url %}: {{ tracking_url }}{% endif %}"
        "{% endif %}",
    ),
    ("sms", "en"): (
        "Order {{ order_number }} is on its way. Tracking {{ tracking_number }}: {{ tracking_url }}",
        "Order {{ order_number }} is on its way."
        "{% if tracking_number %} Tracking {{ tracking_number }}{% if tracking_url %}: {{ tracking_url }}{% endif %}"
        "{% endif %}",
    ),
    ("email", "ru"): (
        GREETING["ru"] + "Ваш заказ {{ order_number }} передан в доставку.\n"
        "Трек-номер: {{ tracking_number }}\n"
        "Отследить посылку: {{ tracking_url }}" + SIGNATURE["ru"],
        GREETING["ru"] + "Ваш заказ {{ order_number }} передан в доставку."
        "{% if tracking_number %}\nТрек-номер: {{ tracking_number }}{% endif %}"
        "{% if tracking_url %}\nОтследить посылку: {{ tracking_url }}{% endif %}" + SIGNATURE["ru"],
    ),
    ("email", "en"): (
        GREETING["en"] + "Your order {{ order_number }} is on its way.\n"
        "Tracking number: {{ tracking_number }}\n"
        "Track your parcel: {{ tracking_url }}" + SIGNATURE["en"],
        GREETING["en"] + "Your order {{ order_number }} is on its way."
        "{% if tracking_number %}\nTracking number: {{ tracking_number }}{% endif %}"
        "{% if tracking_url %}\nTrack your parcel: {{ tracking_url }}{% endif %}" + SIGNATURE["en"],
    ),
}


def update(apps, schema_editor):
    MessageTemplate = apps.get_model("marketing", "MessageTemplate")
    for (channel, language), (before, after) in SHIPPED.items():
        MessageTemplate.objects.filter(kind="order_shipped", channel=channel, language=language, body=before).update(
            body=after
        )


def revert(apps, schema_editor):
    MessageTemplate = apps.get_model("marketing", "MessageTemplate")
    for (channel, language), (before, after) in SHIPPED.items():
        MessageTemplate.objects.filter(kind="order_shipped", channel=channel, language=language, body=after).update(
            body=before
        )


class Migration(migrations.Migration):
    dependencies = [("marketing", "0003_manager_task")]

    operations = [migrations.RunPython(update, revert)]
