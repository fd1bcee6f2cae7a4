"""A segment is saved only with conditions that make sense, and never includes itself."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from marketing.segments.conditions import SegmentCycleError
from marketing.segments.models import Segment
from marketing.segments.selectors import segment_members
from marketing.segments.services import segment_save

pytestmark = pytest.mark.django_db


def test_a_segment_that_includes_itself_through_another_is_refused_and_stays_as_it_was():
    first = segment_save(name="First", conditions={"match": "all", "conditions": []})
    second = segment_save(name="Second", conditions={"match": "all", "conditions": [
        {"field": "segment", "segment": first.pk}]})

    with pytest.raises(SegmentCycleError):
        segment_save(segment=first, name="First", conditions={"match": "all", "conditions": [
            {"field": "segment", "segment": second.pk, "included": False}]})

    assert Segment.objects.get(pk=first.pk).conditions == {"match": "all", "conditions": []}


def test_a_segment_that_names_itself_is_refused():
    segment = segment_save(name="Loop", conditions={"match": "all", "conditions": []})

    with pytest.raises(SegmentCycleError):
        segment_save(segment=segment, name="Loop", conditions={"match": "any", "conditions": [
            {"field": "segment", "segment": segment.pk}]})


@pytest.mark.parametrize(("conditions", "message"), [
    ({"match": "some", "conditions": []}, "“match” is “all” or “any”"),
    ({"match": "all", "conditions": [{"field": "shoe_size", "values": [42]}]}, "unknown kind of condition"),
    ({"match": "all", "conditions": [{"field": "age"}]}, "Condition 1 (Age): fill in"),
    ({"match": "all", "conditions": [{"field": "age", "min": 40, "max": 30}]}, "“from” is greater than “to”"),
    ({"match": "all", "conditions": [{"field": "age", "min": "forty"}]}, "enter a whole number"),
    ({"match": "all", "conditions": [{"field": "gender", "values": ["other"]}]}, "pick from the offered values"),
    ({"match": "all", "conditions": [{"field": "city", "values": ["Москва"], "zip": 1}]}, "unknown parameter zip"),
    ({"match": "all", "conditions": [{"field": "segment", "segment": 999999}]}, "it no longer exists"),
    ({"match": "all", "conditions": [{"match": "any", "conditions": [{"field": "age"}]}]}, "Condition 1.1 (Age)"),
    ([1, 2], "a group has “match” and “conditions” only"),
])
def test_invalid_conditions_are_refused_with_a_message_that_names_the_condition(conditions, message):
    with pytest.raises(ValidationError) as refused:
        segment_save(name="Bad", conditions=conditions)

    assert message in " ".join(refused.value.messages)
    assert not Segment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_marketers_making_two_segments_include_each_other_at_once_leave_no_cycle():
    first = segment_save(name="First", conditions={"match": "all", "conditions": []})
    second = segment_save(name="Second", conditions={"match": "all", "conditions": []})
    start = threading.Barrier(2)
    outcomes = []

    def include(segment, other):
        start.wait()
        try:
            segment_save(segment=segment, name=segment.name, conditions={"match": "all", "conditions": [
                {"field": "segment", "segment": other.pk}]})
            outcomes.append("saved")
        except SegmentCycleError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=include, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "saved"]
    segments = list(Segment.objects.all())
    assert len([segment for segment in segments if segment.conditions["conditions"]]) == 1
    assert [segment_members(segment=segment).count() for segment in segments] == [0, 0]
