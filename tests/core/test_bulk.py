import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.bulk import rows_insert, rows_update
from marketing.models import OutboundMessage
from marketing.segments.models import Segment
from tests.factories import OutboundMessageFactory, UserFactory

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


def test_inserted_rows_get_their_keys_and_every_value():
    message = OutboundMessageFactory.build(html_body="<p>«Цена» 'с' \\ кавычками\tи\nстрокой</p>", sent_at=None)
    author = UserFactory()
    segment = Segment(name="Москва", conditions={"city": "Москва", "note": "a 'quoted' \\ value"}, created_by=author)

    rows_insert([message])
    rows_insert([segment])

    stored = OutboundMessage.objects.get(pk=message.pk)
    assert (stored.html_body, stored.sent_at, stored.due_at) == (message.html_body, None, message.due_at)
    assert stored.created_at == message.created_at is not None  # auto_now_add filled in, as by save()
    assert Segment.objects.values_list("conditions", "created_by").get(pk=segment.pk) == (segment.conditions, author.pk)
    assert not message._state.adding


def test_a_duplicate_key_writes_none_of_the_batch():
    OutboundMessageFactory(idempotency_key="taken")
    batch = [OutboundMessageFactory.build(idempotency_key=key) for key in ("free", "taken")]

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(batch)

    assert not OutboundMessage.objects.filter(idempotency_key="free").exists()


def test_nothing_to_insert_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_insert([]) == []
