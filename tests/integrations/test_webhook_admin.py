import pytest

from integrations.models import Webhook, WebhookDelivery, WebhookEvent
from integrations.webhooks.services import webhooks_enqueue

pytestmark = pytest.mark.django_db


def test_a_webhook_is_set_up_in_the_admin_with_the_events_it_hears(admin_client):
    response = admin_client.post("/admin/integrations/webhook/add/", {
        "name": "Склад", "url": "https://warehouse.example.ru/hooks", "secret": "s3cret-value",
        "events": ["order.placed", "stock.changed"], "is_active": "on",
    })

    assert response.status_code == 302
    assert Webhook.objects.get().events == ["order.placed", "stock.changed"]


def test_a_failed_delivery_is_sent_again_from_its_page(admin_client, receiver, eager_tasks,
                                                       django_capture_on_commit_callbacks):
    crm = Webhook.objects.create(name="CRM", url=receiver.url, events=[WebhookEvent.CUSTOMER_CREATED])
    webhooks_enqueue(event=WebhookEvent.CUSTOMER_CREATED, key="customer.created:1", data={"id": 1}, webhooks=[crm])
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", last_error="HTTP 500")

    page = admin_client.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/integrations/webhookdelivery/{delivery.pk}/resend/")

    assert "Send again" in page and "HTTP 500" in page
    assert response.status_code == 302
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len(receiver.received) == 1
