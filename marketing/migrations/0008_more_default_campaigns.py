"""Default campaigns for the other trigger kinds, switched off, with Russian and English texts.

Frozen here (not imported from the app) so the migration stays what it was. A campaign the
shop already has (same kind and name) is left as it is."""

import datetime

from django.db import migrations

MORNING = (datetime.time(9), datetime.time(10))
EVENING = (datetime.time(19), datetime.time(22))

# kind: (ru name, en name, window, [(hours, channel)], condition_days, {language: (subject, body, sms)})
CAMPAIGNS = {
    "welcome": ("Приветствие", "Welcome", None, [(0, "email")], None, {
        "ru": ("Добро пожаловать в {{ shop_name }}",
               "Здравствуйте!\n\nСпасибо, что зарегистрировались. Вот что у нас сейчас покупают чаще всего."
               "{% if promo_code %}\n\nВаш промокод на первый заказ: {{ promo_code }}, до {{ promo_valid_until }}."
               "{% endif %}",
               "Добро пожаловать в {{ shop_name }}!"),
        "en": ("Welcome to {{ shop_name }}",
               "Hello,\n\nThank you for signing up. Here is what our customers buy most right now."
               "{% if promo_code %}\n\nYour code for the first order: {{ promo_code }}, until {{ promo_valid_until }}."
               "{% endif %}",
               "Welcome to {{ shop_name }}!"),
    }),
    "birthday": ("День рождения", "Birthday", MORNING, [(0, "email")], None, {
        "ru": ("С днём рождения!",
               "Здравствуйте!\n\n{{ shop_name }} поздравляет вас с днём рождения!"
               "{% if promo_code %}\n\nПодарок — промокод {{ promo_code }}, действует до {{ promo_valid_until }}."
               "{% endif %}",
               "{{ shop_name }} поздравляет вас с днём рождения!"),
        "en": ("Happy birthday!",
               "Hello,\n\n{{ shop_name }} wishes you a happy birthday!"
               "{% if promo_code %}\n\nA present: code {{ promo_code }}, valid until {{ promo_valid_until }}.{% endif %}",
               "{{ shop_name }} wishes you a happy birthday!"),
    }),
    "reactivation": ("Давно не заходили", "We miss you", EVENING, [(0, "email")], 6, {
        "ru": ("Мы скучаем",
               "Здравствуйте!\n\nДавно вас не видели. Посмотрите, что нового в {{ shop_name }}.",
               "Давно вас не видели! Посмотрите, что нового в {{ shop_name }}:"),
        "en": ("We miss you",
               "Hello,\n\nWe have not seen you for a while. Have a look at what is new at {{ shop_name }}.",
               "We have not seen you for a while! What is new at {{ shop_name }}:"),
    }),
    "browse_abandonment": ("Смотрел, но не купил", "Viewed, not bought", EVENING, [(24, "email")], None, {
        "ru": ("{{ product_name }} ещё в наличии",
               "Здравствуйте!\n\nВы смотрели «{{ product_name }}». Товар ещё в наличии — не упустите.",
               "«{{ product_name }}» ещё в наличии:"),
        "en": ("{{ product_name }} is still in stock",
               "Hello,\n\nYou looked at “{{ product_name }}”. It is still in stock — don't miss it.",
               "“{{ product_name }}” is still in stock:"),
    }),
    "replenishment": ("Скоро закончится", "Running out", MORNING, [(0, "email")], None, {
        "ru": ("Пора пополнить запас: {{ product_name }}",
               "Здравствуйте!\n\nКажется, «{{ product_name }}» скоро закончится. Положить ещё в корзину — в один клик.",
               "«{{ product_name }}» скоро закончится. Заказать снова:"),
        "en": ("Time to restock: {{ product_name }}",
               "Hello,\n\n“{{ product_name }}” is probably running out. Put it in your cart again in one click.",
               "“{{ product_name }}” is running out. Order again:"),
    }),
    "review_request": ("Просьба об отзыве", "Review request", EVENING, [(72, "email")], 5, {
        "ru": ("Как вам покупка?",
               "Здравствуйте!\n\nЗаказ {{ order_number }} у вас уже несколько дней. Расскажите, как вам "
               "«{{ product_name }}» — ваш отзыв поможет другим покупателям.",
               "Как вам заказ {{ order_number }}? Оставьте отзыв:"),
        "en": ("How do you like your purchase?",
               "Hello,\n\nYou have had order {{ order_number }} for a few days. Tell us how you like "
               "“{{ product_name }}” — your review helps other shoppers.",
               "How is order {{ order_number }}? Leave a review:"),
    }),
    "cross_sell": ("Подойдёт к заказу", "Goes well with your order", EVENING, [(48, "email")], None, {
        "ru": ("К вашему заказу {{ order_number }} подойдёт",
               "Здравствуйте!\n\nВот что обычно берут вместе с товарами из вашего заказа {{ order_number }}.",
               "К вашему заказу {{ order_number }} подойдёт:"),
        "en": ("Goes well with your order {{ order_number }}",
               "Hello,\n\nHere is what customers usually buy with the items of your order {{ order_number }}.",
               "Goes well with your order {{ order_number }}:"),
    }),
}


def campaigns_create(apps, schema_editor):
    Campaign = apps.get_model("marketing", "Campaign")
    CampaignStep = apps.get_model("marketing", "CampaignStep")
    CampaignText = apps.get_model("marketing", "CampaignText")
    for kind, (name, _english_name, window, steps, condition_days, texts) in CAMPAIGNS.items():
        if Campaign.objects.filter(kind=kind, name=name).exists():
            continue
        start, end = window or (None, None)
        campaign = Campaign.objects.create(
            kind=kind, name=name, is_active=False, send_window_start=start, send_window_end=end,
            condition_days=condition_days,
        )
        for position, (hours, channel) in enumerate(steps, start=1):
            CampaignStep.objects.create(campaign=campaign, position=position, delay_hours=hours, channel=channel)
        for language, (subject, body, sms) in texts.items():
            CampaignText.objects.create(
                campaign=campaign, step=1, language=language, subject=subject, body=body, sms_body=sms,
            )


class Migration(migrations.Migration):
    dependencies = [("marketing", "0007_default_campaigns")]

    operations = [migrations.RunPython(campaigns_create, migrations.RunPython.noop)]
