import datetime

import pytest
from django.utils import timezone

from core.bulk import rows_update
from marketing.models import OutboundMessage
from tests.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status


def test_each_row_gets_its_own_values_in_one_statement(django_assert_num_queries):
    messages = OutboundMessageFactory.create_batch(3)
    later = timezone.now() + datetime.timedelta(hours=1)
    for number, message in enumerate(messages):
        message.provider_message_id, message.sent_at, message.status = f"id-{number}", later, Status.SENT

    with django_assert_num_queries(1):
        written = rows_update(OutboundMessage.objects.all(), messages, ["provider_message_id", "sent_at", "status"])

    assert written == 3
    assert sorted(OutboundMessage.objects.values_list("provider_message_id", "sent_at", "status")) == [
        (f"id-{number}", later, Status.SENT) for number in range(3)
    ]


def test_rows_outside_the_fence_are_left_as_they_are():
    mine, theirs = OutboundMessageFactory(status=Status.SENDING), OutboundMessageFactory(status=Status.SENT)
    for message in (mine, theirs):
        message.last_error = "written"

    written = rows_update(OutboundMessage.objects.filter(status=Status.SENDING), [mine, theirs], ["last_error"])

    assert written == 1
    assert dict(OutboundMessage.objects.values_list("pk", "last_error")) == {mine.pk: "written", theirs.pk: ""}


def test_nothing_to_write_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_update(OutboundMessage.objects.all(), [], ["status"]) == 0
