"""Default message texts, so a fresh store says something sensible from its first order.

The texts are frozen here (not imported from the app) so the migration stays what it was.
Existing texts are never overwritten: a shop that edited one keeps its wording.
"""

from django.db import migrations

SMS = {
    "ru": {
        "order_accepted": "Заказ {{ order_number }} принят, сумма {{ total }}. Скоро позвоним. {{ shop_name }}",
        "order_confirmed": "Заказ {{ order_number }} подтверждён. {{ shop_name }}",
        "order_shipped": "Заказ {{ order_number }} отправлен. Трек {{ tracking_number }}: {{ tracking_url }}",
        "order_ready_for_pickup": (
            "Заказ {{ order_number }} ждёт вас: {{ pickup_address }}. Хранится до {{ storage_deadline }}."
        ),
        "order_parcel_waiting": (
            "Заказ {{ order_number }} всё ещё ждёт вас: {{ pickup_address }}. Хранится до {{ storage_deadline }}."
        ),
        "order_delivered": "Заказ {{ order_number }} получен. Спасибо за покупку! {{ shop_name }}",
    },
    "en": {
        "order_accepted": "Order {{ order_number }} received, total {{ total }}. We will call you soon. {{ shop_name }}",
        "order_confirmed": "Order {{ order_number }} is confirmed. {{ shop_name }}",
        "order_shipped": "Order {{ order_number }} is on its way. Tracking {{ tracking_number }}: {{ tracking_url }}",
        "order_ready_for_pickup": (
            "Order {{ order_number }} is ready for pickup at {{ pickup_address }} until {{ storage_deadline }}."
        ),
        "order_parcel_waiting": (
            "Order {{ order_number }} is still waiting at {{ pickup_address }} until {{ storage_deadline }}."
        ),
        "order_delivered": "Order {{ order_number }} delivered. Thank you for shopping with {{ shop_name }}!",
    },
}

GREETING = {
    "ru": "{% if customer_name %}{{ customer_name }}, здравствуйте!{% else %}Здравствуйте!{% endif %}\n\n",
    "en": "{% if customer_name %}Hello {{ customer_name }},{% else %}Hello,{% endif %}\n\n",
}
SIGNATURE = {
    "ru": "\n\nС уважением,\n{{ shop_name }}",
    "en": "\n\nBest regards,\n{{ shop_name }}",
}

EMAIL = {
    "ru": {
        "order_accepted": (
            "Заказ {{ order_number }} принят",
            "Мы получили ваш заказ {{ order_number }} на сумму {{ total }}.\n"
            "Менеджер скоро свяжется с вами, чтобы его подтвердить.",
        ),
        "order_confirmed": (
            "Заказ {{ order_number }} подтверждён",
            "Ваш заказ {{ order_number }} на сумму {{ total }} подтверждён, мы начали его собирать.",
        ),
        "order_shipped": (
            "Заказ {{ order_number }} отправлен",
            "Ваш заказ {{ order_number }} передан в доставку.\n"
            "Трек-номер: {{ tracking_number }}\n"
            "Отследить посылку: {{ tracking_url }}",
        ),
        "order_ready_for_pickup": (
            "Заказ {{ order_number }} ждёт вас",
            "Ваш заказ {{ order_number }} можно забрать по адресу:\n{{ pickup_address }}\n\n"
            "Он хранится до {{ storage_deadline }}. Сумма заказа: {{ total }}.",
        ),
        "order_parcel_waiting": (
            "Заказ {{ order_number }} всё ещё ждёт вас",
            "Напоминаем: ваш заказ {{ order_number }} ждёт вас по адресу:\n{{ pickup_address }}\n\n"
            "Он хранится до {{ storage_deadline }}, после этого его вернут нам.",
        ),
        "order_delivered": (
            "Спасибо за покупку!",
            "Заказ {{ order_number }} получен. Спасибо, что выбрали нас! Будем рады видеть вас снова.",
        ),
    },
    "en": {
        "order_accepted": (
            "Order {{ order_number }} received",
            "We have received your order {{ order_number }}, total {{ total }}.\n"
            "A manager will call you shortly to confirm it.",
        ),
        "order_confirmed": (
            "Order {{ order_number }} confirmed",
            "Your order {{ order_number }} ({{ total }}) is confirmed and we are packing it.",
        ),
        "order_shipped": (
            "Order {{ order_number }} shipped",
            "Your order {{ order_number }} is on its way.\n"
            "Tracking number: {{ tracking_number }}\n"
            "Track your parcel: {{ tracking_url }}",
        ),
        "order_ready_for_pickup": (
            "Order {{ order_number }} is ready for pickup",
            "Your order {{ order_number }} is waiting for you at:\n{{ pickup_address }}\n\n"
            "It is kept until {{ storage_deadline }}. Order total: {{ total }}.",
        ),
        "order_parcel_waiting": (
            "Order {{ order_number }} is still waiting for you",
            "A reminder: your order {{ order_number }} is waiting for you at:\n{{ pickup_address }}\n\n"
            "It is kept until {{ storage_deadline }}; after that it is sent back to us.",
        ),
        "order_delivered": (
            "Thank you for your order!",
            "Order {{ order_number }} has been delivered. Thank you for choosing us; we hope to see you again.",
        ),
    },
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("marketing", "MessageTemplate")
    for language, texts in SMS.items():
        for kind, body in texts.items():
            MessageTemplate.objects.get_or_create(
                kind=kind, channel="sms", language=language, defaults={"subject": "", "body": body}
            )
    for language, texts in EMAIL.items():
        for kind, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                kind=kind,
                channel="email",
                language=language,
                defaults={"subject": subject, "body": GREETING[language] + body + SIGNATURE[language]},
            )


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
