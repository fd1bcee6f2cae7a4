"""Default texts for the new kinds: the guest's "confirm your e-mail" message, the back-in-stock
and price-drop campaigns (switched off), and the browse-abandonment texts that now also speak of
a category. Frozen here; a text or campaign the shop already has, or has edited, is kept."""

from django.db import migrations

GREETING = {
    "ru": "{% if customer_name %}{{ customer_name }}, здравствуйте!{% else %}Здравствуйте!{% endif %}\n\n",
    "en": "{% if customer_name %}Hello {{ customer_name }},{% else %}Hello,{% endif %}\n\n",
}
SIGNATURE = {"ru": "\n\nС уважением,\n{{ shop_name }}", "en": "\n\nBest regards,\n{{ shop_name }}"}
CONFIRM = {
    "ru": ("Подтвердите адрес: «{{ product_name }}»",
           "Вы просили написать, когда «{{ product_name }}» снова появится в продаже. Подтвердите адрес по ссылке:\n"
           "{{ link }}\n\nЕсли вы ничего не просили, просто не отвечайте на это письмо: мы больше не напишем.",
           "Подтвердите подписку на «{{ product_name }}»: {{ link }}"),
    "en": ("Confirm your address: “{{ product_name }}”",
           "You asked us to write when “{{ product_name }}” is back in stock. Please confirm your address:\n"
           "{{ link }}\n\nIf you did not ask, ignore this e-mail: we will not write again.",
           "Confirm your request for “{{ product_name }}”: {{ link }}"),
}

# kind: (ru name, [(hours, channel)], condition_percent, {language: (subject, body, sms)})
CAMPAIGNS = {
    "back_in_stock": ("Снова в продаже", [(0, "email")], None, {
        "ru": ("«{{ product_name }}» снова в продаже",
               "Здравствуйте!\n\n«{{ product_name }}» снова в продаже, цена {{ price }}. Вы просили сообщить — "
               "сообщаем, пока не разобрали.",
               "«{{ product_name }}» снова в продаже:"),
        "en": ("“{{ product_name }}” is back in stock",
               "Hello,\n\n“{{ product_name }}” is back in stock at {{ price }}. You asked us to tell you — "
               "here it is, before it is gone again.",
               "“{{ product_name }}” is back in stock:"),
    }),
    "price_drop": ("Цена снизилась", [(0, "email")], 10, {
        "ru": ("«{{ product_name }}» подешевел",
               "Здравствуйте!\n\nВы смотрели «{{ product_name }}». Цена снизилась: было {{ old_price }}, "
               "теперь {{ price }}.",
               "«{{ product_name }}» подешевел: {{ price }} вместо {{ old_price }}"),
        "en": ("“{{ product_name }}” is cheaper now",
               "Hello,\n\nYou looked at “{{ product_name }}”. Its price has dropped from {{ old_price }} "
               "to {{ price }}.",
               "“{{ product_name }}” now {{ price }} instead of {{ old_price }}"),
    }),
}

# The browse-abandonment texts of 0008, and what replaces them where the shop kept them.
BROWSE_BEFORE = {
    "ru": ("{{ product_name }} ещё в наличии",
           "Здравствуйте!\n\nВы смотрели «{{ product_name }}». Товар ещё в наличии — не упустите.",
           "«{{ product_name }}» ещё в наличии:"),
    "en": ("{{ product_name }} is still in stock",
           "Hello,\n\nYou looked at “{{ product_name }}”. It is still in stock — don't miss it.",
           "“{{ product_name }}” is still in stock:"),
}
BROWSE_AFTER = {
    "ru": ("{% if category_name %}Вы смотрели: {{ category_name }}{% else %}{{ product_name }} ещё в наличии"
           "{% endif %}",
           "Здравствуйте!\n\n{% if category_name %}Вы смотрели товары из раздела «{{ category_name }}». "
           "Вот они — всё ещё в наличии.{% else %}Вы смотрели «{{ product_name }}». Товар ещё в наличии — "
           "не упустите.{% endif %}",
           "{% if category_name %}Вы смотрели «{{ category_name }}»:{% else %}«{{ product_name }}» ещё в наличии:"
           "{% endif %}"),
    "en": ("{% if category_name %}You looked at {{ category_name }}{% else %}{{ product_name }} is still in stock"
           "{% endif %}",
           "Hello,\n\n{% if category_name %}You looked at products in “{{ category_name }}”. Here they are, still "
           "in stock.{% else %}You looked at “{{ product_name }}”. It is still in stock — don't miss it.{% endif %}",
           "{% if category_name %}You looked at “{{ category_name }}”:{% else %}“{{ product_name }}” is still in "
           "stock:{% endif %}"),
}


def texts_create(apps, schema_editor):
    MessageTemplate = apps.get_model("marketing", "MessageTemplate")
    Campaign = apps.get_model("marketing", "Campaign")
    CampaignStep = apps.get_model("marketing", "CampaignStep")
    CampaignText = apps.get_model("marketing", "CampaignText")
    for language, (subject, body, sms) in CONFIRM.items():
        MessageTemplate.objects.get_or_create(
            kind="back_in_stock_confirm", channel="email", language=language,
            defaults={"subject": subject, "body": GREETING[language] + body + SIGNATURE[language]},
        )
        MessageTemplate.objects.get_or_create(
            kind="back_in_stock_confirm", channel="sms", language=language, defaults={"subject": "", "body": sms},
        )
    for kind, (name, steps, percent, texts) in CAMPAIGNS.items():
        if Campaign.objects.filter(kind=kind, name=name).exists():
            continue
        campaign = Campaign.objects.create(kind=kind, name=name, is_active=False, condition_percent=percent)
        for position, (hours, channel) in enumerate(steps, start=1):
            CampaignStep.objects.create(campaign=campaign, position=position, delay_hours=hours, channel=channel)
        for language, (subject, body, sms) in texts.items():
            CampaignText.objects.create(campaign=campaign, step=1, language=language, subject=subject, body=body,
                                        sms_body=sms)
    for language, (subject, body, sms) in BROWSE_BEFORE.items():
        new_subject, new_body, new_sms = BROWSE_AFTER[language]
        CampaignText.objects.filter(
            campaign__kind="browse_abandonment", language=language, subject=subject, body=body, sms_body=sms,
        ).update(subject=new_subject, body=new_body, sms_body=new_sms)


class Migration(migrations.Migration):
    dependencies = [("marketing", "0016_watched_products")]

    operations = [migrations.RunPython(texts_create, migrations.RunPython.noop)]
