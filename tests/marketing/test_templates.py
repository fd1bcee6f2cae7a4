import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketing.kinds import TRANSACTIONAL_KINDS, Channel, MessageKind
from marketing.models import MessageTemplate
from marketing.templating import TemplateTextError, template_render

pytestmark = pytest.mark.django_db


def sms_template(body: str, kind: str = MessageKind.ORDER_SHIPPED) -> MessageTemplate:
    return MessageTemplate(kind=kind, channel=Channel.SMS, language="ru", body=body)


def test_text_with_an_unknown_placeholder_is_refused_naming_the_placeholder():
    template = sms_template("Заказ {{ order_number }}: скидка {{ coupon_code }}")

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert "coupon_code" in str(refused.value.message_dict["body"])


def test_placeholder_of_another_kind_is_refused():
    template = sms_template("Трек {{ tracking_number }}", kind=MessageKind.ORDER_CONFIRMED)

    with pytest.raises(ValidationError, match="tracking_number"):
        template.full_clean()


def test_text_with_a_syntax_error_is_refused_with_its_line():
    template = sms_template("Заказ {{ order_number }}\n{% if total %}без конца")

    with pytest.raises(ValidationError, match="line 2"):
        template.full_clean()


def test_attribute_tricks_are_refused_when_saved():
    template = sms_template("{{ order_number.__class__.__mro__ }}")

    with pytest.raises(ValidationError, match="Only placeholders"):
        template.full_clean()


def test_sandbox_refuses_attribute_tricks_even_in_a_text_nobody_checked():
    with pytest.raises(TemplateTextError, match="unsafe"):
        template_render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_email_text_needs_a_subject():
    template = MessageTemplate(kind=MessageKind.ORDER_CONFIRMED, channel=Channel.EMAIL, language="en", body="Hi")

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert "subject" in refused.value.message_dict


def test_fresh_store_has_a_valid_text_for_every_order_kind_channel_and_language():
    for kind in TRANSACTIONAL_KINDS:
        for channel in Channel:
            for language in ("ru", "en"):
                template = MessageTemplate.objects.get(kind=kind, channel=channel, language=language)
                template.full_clean()


def test_admin_shows_a_preview_with_sample_values(admin_client):
    template = MessageTemplate.objects.get(kind=MessageKind.ORDER_SHIPPED, channel=Channel.SMS, language="ru")

    page = admin_client.get(reverse("admin:marketing_messagetemplate_change", args=[template.pk]))

    assert page.status_code == 200
    assert "Заказ VT-10001 отправлен. Трек 80085612345678" in page.content.decode()
    assert "{{ tracking_url }}" in page.content.decode()


def test_admin_refuses_to_save_a_text_with_an_unknown_placeholder(admin_client):
    template = MessageTemplate.objects.get(kind=MessageKind.ORDER_SHIPPED, channel=Channel.SMS, language="ru")
    url = reverse("admin:marketing_messagetemplate_change", args=[template.pk])

    page = admin_client.post(
        url, {"kind": template.kind, "channel": "sms", "language": "ru", "subject": "", "body": "{{ promo }}"}
    )

    assert page.status_code == 200
    assert "promo" in page.context["adminform"].form.errors["body"][0]
    template.refresh_from_db()
    assert "promo" not in template.body
