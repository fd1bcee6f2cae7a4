"""Broadcasts: from a segment to the outbox, at each recipient's time, at the channel's rate,
with pause, resume and cancel, and exactly once however the batching worker dies."""

import datetime
import os
import signal
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from marketing.abtests.services import ab_group
from marketing.broadcasts import services
from marketing.broadcasts.models import Broadcast, ChannelThrottle
from marketing.broadcasts.selectors import broadcast_progress
from marketing.broadcasts.services import (
    BroadcastRefused,
    broadcast_cancel,
    broadcast_pause,
    broadcast_queue,
    broadcast_resume,
    broadcast_schedule,
    broadcasts_advance,
    broadcasts_send,
)
from marketing.campaigns.models import Campaign, CampaignEntry, CampaignEvent, CampaignMessage
from marketing.models import OutboundMessage
from tests.marketing.broadcasting import ab_variants, broadcast_draft, city_segment, customers
from tests.marketing.campaigning import consent_given

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")


def _rate(per_minute: int, channel: str = "email") -> None:
    ChannelThrottle.objects.update_or_create(channel=channel, defaults={"per_minute": per_minute})


def _started(broadcast, *, now=None) -> Broadcast:
    broadcast_schedule(broadcast=broadcast, now=now)
    broadcast.refresh_from_db()
    return broadcast


def _sending(broadcast) -> Broadcast:
    """Scheduled and started, as the beat starts it, before anything is queued."""
    broadcast = _started(broadcast)
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)
    broadcast.refresh_from_db()
    return broadcast


def test_a_broadcast_reaches_every_consenting_member_of_its_segment_once(django_capture_on_commit_callbacks):
    segment = city_segment("Казань")
    members = customers(30)
    customers(5, consent=False)
    customers(4, city="Самара")
    broadcast = _started(broadcast_draft(segment))

    with django_capture_on_commit_callbacks(execute=True):
        counts = broadcasts_advance()
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    assert counts["queued"] == 30
    assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in members)
    assert {email.subject for email in mail.outbox} == {"Sale: up to 50% off"}  # the shop's language
    keys = OutboundMessage.objects.values_list("idempotency_key", flat=True)
    assert len(set(keys)) == 30 and all(key.startswith(f"campaign:{broadcast.pk}:user:") for key in keys)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DONE
    progress = broadcast_progress(broadcast=broadcast)
    assert (progress.recipients, progress.queued, progress.sent, progress.failed) == (30, 0, 30, 0)


def test_a_broadcast_is_refused_without_a_text_in_the_shop_language(settings):
    broadcast = broadcast_draft(city_segment())
    broadcast.texts.filter(language=settings.LANGUAGE_CODE).delete()
    with pytest.raises(BroadcastRefused):
        broadcast_schedule(broadcast=broadcast)


def test_a_set_time_broadcast_waits_for_its_time(django_capture_on_commit_callbacks):
    customers(3)
    later = timezone.now() + datetime.timedelta(hours=3)
    _started(broadcast_draft(city_segment(), timing=Broadcast.Timing.AT, starts_at=later))

    assert broadcasts_advance()["started"] == 0
    assert not CampaignEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        counts = broadcasts_advance(now=later + datetime.timedelta(seconds=5))
    assert counts["started"] == 1 and counts["sent"] == 3


# --- Throttle ----------------------------------------------------------------------------------


def test_the_channel_takes_no_more_than_its_rate_per_minute(django_capture_on_commit_callbacks):
    _rate(10)
    customers(25)
    _started(broadcast_draft(city_segment()))
    now = timezone.now()
    written = []
    for seconds in (0, 20, 59, 61, 90, 125):
        with django_capture_on_commit_callbacks(execute=True):
            broadcasts_advance(now=now + datetime.timedelta(seconds=seconds))
        written.append(OutboundMessage.objects.count())

    assert written == [10, 10, 10, 20, 20, 25]


def test_two_broadcasts_on_one_channel_share_its_rate(django_capture_on_commit_callbacks):
    _rate(12)
    customers(10, city="Казань")
    customers(10, city="Самара")
    _started(broadcast_draft(city_segment("Казань")))
    _started(broadcast_draft(city_segment("Самара")))

    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    assert OutboundMessage.objects.count() == 12


# --- Pause, resume, cancel -----------------------------------------------------------------------


def test_pause_stops_new_messages_and_resume_goes_on_where_it_stopped(django_capture_on_commit_callbacks):
    _rate(10)
    people = customers(25)
    broadcast = _started(broadcast_draft(city_segment()))
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance(now=now)

    assert broadcast_pause(broadcast=broadcast)
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance(now=now + datetime.timedelta(minutes=5))
    assert OutboundMessage.objects.count() == 10
    assert broadcast_progress(broadcast=broadcast).queued == 15

    assert broadcast_resume(broadcast=broadcast)
    for minute in (6, 7, 8):
        with django_capture_on_commit_callbacks(execute=True):
            broadcasts_advance(now=now + datetime.timedelta(minutes=minute))
    # Written for the minute they were due in (sent by the outbox when that minute comes).
    assert sorted(OutboundMessage.objects.values_list("recipient", flat=True)) == sorted(u.email for u in people)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DONE
    assert not broadcast_pause(broadcast=broadcast)  # nothing left to pause


def test_cancel_stops_the_queued_and_the_written_but_unsent(django_capture_on_commit_callbacks):
    _rate(10)
    customers(25)
    broadcast = _started(broadcast_draft(city_segment()))
    broadcasts_advance()  # 10 written; their sends are left pending (no commit callbacks run)

    assert broadcast_cancel(broadcast=broadcast)

    assert Counter(OutboundMessage.objects.values_list("status", flat=True)) == {"cancelled": 10}
    assert not CampaignEntry.objects.filter(status=CampaignEntry.Status.QUEUED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance(now=timezone.now() + datetime.timedelta(minutes=2))
    assert mail.outbox == []
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELLED
    assert not broadcast_resume(broadcast=broadcast)


# --- Exactly once, whatever dies -------------------------------------------------------------------


def test_an_error_halfway_through_a_batch_writes_nothing_of_it_and_the_next_run_completes(
    django_capture_on_commit_callbacks, monkeypatch
):
    people = customers(40)
    broadcast = _sending(broadcast_draft(city_segment()))
    broadcast_queue(broadcast=broadcast, batch_size=15)
    real_write, calls = services.outgoing_write, Counter()

    def dies_in_the_second_batch(outgoing, **kwargs):
        calls["batches"] += 1
        if calls["batches"] == 2:
            real_write(outgoing[:5], **kwargs)  # half a batch written, then the worker dies
            raise RuntimeError("worker lost")
        return real_write(outgoing, **kwargs)

    monkeypatch.setattr(services, "outgoing_write", dies_in_the_second_batch)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        broadcasts_send(batch_size=15)
    assert OutboundMessage.objects.count() == 15  # the first batch committed, the second rolled back whole

    monkeypatch.setattr(services, "outgoing_write", real_write)
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_send(batch_size=15)

    recipients = Counter(OutboundMessage.objects.values_list("recipient", flat=True))
    assert recipients == Counter(user.email for user in people)


@pytest.mark.parametrize("timing", [Broadcast.Timing.NOW, Broadcast.Timing.BEST])
def test_queueing_resumes_after_the_last_committed_batch_without_gap_or_duplicate(monkeypatch, timing):
    people = customers(23)
    broadcast = broadcast_draft(city_segment(), timing=timing, starts_at=timezone.now())
    broadcast = _sending(broadcast)
    # NOW is copied by the database (_entries_insert), BEST computed per person (_dues).
    step = "_entries_insert" if timing == Broadcast.Timing.NOW else "_dues"
    real_step, calls = getattr(services, step), Counter()

    def dies_in_the_third_batch(*args, **kwargs):
        calls["batches"] += 1
        if calls["batches"] == 3:
            raise RuntimeError("worker lost")
        return real_step(*args, **kwargs)

    monkeypatch.setattr(services, step, dies_in_the_third_batch)
    with pytest.raises(RuntimeError):
        broadcast_queue(broadcast=broadcast, batch_size=5)
    assert CampaignEntry.objects.count() == 10
    monkeypatch.setattr(services, step, real_step)
    broadcast_queue(broadcast=broadcast, batch_size=5)

    assert sorted(CampaignEntry.objects.values_list("user_id", flat=True)) == sorted(user.pk for user in people)
    broadcast.refresh_from_db()
    assert broadcast.recipients == 23 and broadcast.queued_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a killed process needs a real server")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_recipient_and_doubles_none(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    people = customers(60)
    broadcast = _sending(broadcast_draft(city_segment()))
    broadcast_queue(broadcast=broadcast, batch_size=20)
    connections.close_all()

    child = os.fork()
    if child == 0:  # the worker: writes batches of 20 and is SIGKILLed in the middle of the second
        calls = Counter()
        real_write = services.outgoing_write

        def killed_in_the_second_batch(outgoing, **kwargs):
            calls["batches"] += 1
            if calls["batches"] == 2:
                real_write(outgoing[:7], **kwargs)
                os.kill(os.getpid(), signal.SIGKILL)
            return real_write(outgoing, **kwargs)

        services.outgoing_write = killed_in_the_second_batch
        try:
            broadcasts_send(batch_size=20)
        except BaseException as error:  # noqa: BLE001  (the parent reads the exit status)
            os.write(2, f"worker failed before the kill: {error!r}\n".encode())
        finally:
            os._exit(1)
    _pid, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    assert OutboundMessage.objects.count() == 20
    broadcasts_send(batch_size=20)  # a new worker picks up after the restart

    assert Counter(OutboundMessage.objects.values_list("recipient", flat=True)) == Counter(
        user.email for user in people
    )
    assert CampaignMessage.objects.count() == 60
    assert not CampaignEntry.objects.filter(status=CampaignEntry.Status.QUEUED).exists()


# --- When each recipient gets it -----------------------------------------------------------------


def _clicked_at(user, moments) -> None:
    """Campaign messages `user` opened/clicked as a person at `moments`."""
    campaign = Campaign.objects.create(name="Раньше", kind=Campaign.Kind.WELCOME)
    for n, moment in enumerate(moments):
        entry = CampaignEntry.objects.create(campaign=campaign, cause=f"old:{user.pk}:{n}", user=user, email=user.email,
                                     person=f"user:{user.pk}", triggered_at=moment, due_at=moment)
        outbound = OutboundMessage.objects.create(channel="email", kind="welcome", recipient=user.email,
                                                  language="ru", body="…", idempotency_key=f"old:{user.pk}:{n}",
                                                  due_at=moment, status="sent", sent_at=moment)
        message = CampaignMessage.objects.create(message=outbound, entry=entry, campaign=campaign, step=1,
                                                 language="ru", channel="email", person=f"user:{user.pk}",
                                                 user=user, token=f"old{user.pk}x{n}", created_at=moment)
        CampaignEvent.objects.create(message=message, kind=CampaignEvent.Kind.CLICK, link=0, created_at=moment)


def test_best_time_sends_each_recipient_at_the_hour_they_click_most_in_their_zone(settings):
    settings.BROADCAST_DEFAULT_SEND_TIME = "09:00"
    evening, morning_vladivostok, newcomer = customers(1)[0], customers(1, timezone="Asia/Vladivostok")[0], \
        customers(1)[0]
    recent = datetime.datetime(2026, 11, 20, tzinfo=MSK)
    _clicked_at(evening, [recent.replace(hour=19, minute=12), recent.replace(day=21, hour=19, minute=50),
                          recent.replace(day=22, hour=8, minute=5)])
    # 07:30 and 07:10 in Vladivostok are 00:30 and 00:10 in Moscow.
    _clicked_at(morning_vladivostok, [datetime.datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Vladivostok")),
                                      datetime.datetime(2026, 11, 23, 7, 10, tzinfo=ZoneInfo("Asia/Vladivostok"))])
    start = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    broadcast = broadcast_draft(city_segment(), timing=Broadcast.Timing.BEST, starts_at=start)
    broadcast_schedule(broadcast=broadcast, now=start - datetime.timedelta(hours=1))
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)

    broadcast_queue(broadcast=broadcast, now=start)

    due = dict(CampaignEntry.objects.values_list("user_id", "due_at"))
    assert due[evening.pk] == datetime.datetime(2026, 12, 1, 19, 0, tzinfo=MSK)
    assert due[morning_vladivostok.pk] == datetime.datetime(2026, 12, 2, 7, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))
    assert due[newcomer.pk] == datetime.datetime(2026, 12, 2, 9, 0, tzinfo=MSK)  # 09:00 has passed today


def test_local_time_reaches_each_zone_at_its_own_ten_oclock():
    moscow, yekaterinburg = customers(1)[0], customers(1, timezone="Asia/Yekaterinburg")[0]
    start = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    broadcast = broadcast_draft(city_segment(), timing=Broadcast.Timing.LOCAL, starts_at=start)
    broadcast_schedule(broadcast=broadcast, now=start - datetime.timedelta(days=1))

    broadcasts_advance(now=start - datetime.timedelta(hours=13))  # the queue opens 14 h before

    due = dict(CampaignEntry.objects.values_list("user_id", "due_at"))
    assert due[moscow.pk] == start
    assert due[yekaterinburg.pk] == datetime.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    assert due[yekaterinburg.pk] < due[moscow.pk]


def _written(broadcast, now, django_capture_on_commit_callbacks) -> set[str]:
    """What a beat at `now` writes for the broadcast: the recipients' addresses."""
    before = set(OutboundMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance(now=now)
    return set(OutboundMessage.objects.exclude(pk__in=before).values_list("recipient", flat=True))


def test_a_best_time_broadcast_resumed_at_night_sends_the_overdue_at_their_hour_next_day(
    settings, django_capture_on_commit_callbacks,
):
    settings.BROADCAST_DEFAULT_SEND_TIME = "09:00"
    lunch, evening = customers(1)[0], customers(1)[0]
    vladivostok = customers(1, timezone="Asia/Vladivostok")[0]
    clicks = datetime.datetime(2026, 11, 20, tzinfo=MSK)
    _clicked_at(lunch, [clicks.replace(hour=13, minute=10), clicks.replace(day=21, hour=13, minute=40)])
    _clicked_at(evening, [clicks.replace(hour=19, minute=12), clicks.replace(day=21, hour=19, minute=50)])
    # 10:00 in Vladivostok is 03:00 in Moscow.
    _clicked_at(vladivostok, [datetime.datetime(2026, 11, 20, 10, 5, tzinfo=ZoneInfo("Asia/Vladivostok"))])
    start = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    broadcast = _started(broadcast_draft(city_segment(), timing=Broadcast.Timing.BEST, starts_at=start),
                         now=start - datetime.timedelta(hours=1))
    assert _written(broadcast, start, django_capture_on_commit_callbacks) == set()  # queued, each at their hour
    assert broadcast_pause(broadcast=broadcast)
    assert _written(broadcast, start.replace(hour=13, minute=5), django_capture_on_commit_callbacks) == set()

    night = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=MSK)
    assert broadcast_resume(broadcast=broadcast, now=night)

    assert _written(broadcast, night, django_capture_on_commit_callbacks) == set()
    due = dict(CampaignEntry.objects.filter(campaign=broadcast).values_list("user_id", "due_at"))
    assert due == {
        lunch.pk: datetime.datetime(2026, 12, 2, 13, 0, tzinfo=MSK),
        evening.pk: datetime.datetime(2026, 12, 2, 19, 0, tzinfo=MSK),
        # Still ahead when resumed: keeps its time.
        vladivostok.pk: datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Vladivostok")),
    }
    written = [_written(broadcast, night.replace(hour=hour, minute=1), django_capture_on_commit_callbacks)
               for hour in (3, 13, 19, 20)]
    assert written == [{vladivostok.email}, {lunch.email}, {evening.email}, set()]
    assert CampaignMessage.objects.filter(campaign=broadcast).count() == 3
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DONE


def test_resumed_within_their_hour_they_still_go_and_a_send_window_holds_the_rest(
    settings, django_capture_on_commit_callbacks,
):
    settings.BROADCAST_DEFAULT_SEND_TIME = "09:00"
    morning, night_owl = customers(1)[0], customers(1)[0]
    clicks = datetime.datetime(2026, 11, 20, tzinfo=MSK)
    _clicked_at(night_owl, [clicks.replace(hour=23, minute=30), clicks.replace(day=21, hour=23, minute=10)])
    start = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=MSK)
    broadcast = broadcast_draft(city_segment(), timing=Broadcast.Timing.BEST, starts_at=start,
                                send_window_start=datetime.time(9), send_window_end=datetime.time(22))
    broadcast = _started(broadcast, now=start - datetime.timedelta(hours=1))
    _written(broadcast, start, django_capture_on_commit_callbacks)
    assert broadcast_pause(broadcast=broadcast)

    resumed = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=MSK)  # the morning one's 09:00 is a day old
    assert broadcast_resume(broadcast=broadcast, now=resumed)
    due = dict(CampaignEntry.objects.filter(campaign=broadcast).values_list("user_id", "due_at"))

    # Their 23:00 is over and outside the broadcast's 09:00–22:00: the window's next opening.
    assert due[night_owl.pk] == datetime.datetime(2026, 12, 2, 9, 0, tzinfo=MSK) + datetime.timedelta(days=1)
    assert _written(broadcast, resumed, django_capture_on_commit_callbacks) == {morning.email}


def test_a_local_time_broadcast_resumed_at_night_waits_for_ten_oclock_there(django_capture_on_commit_callbacks):
    moscow, yekaterinburg = customers(1)[0], customers(1, timezone="Asia/Yekaterinburg")[0]
    start = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    broadcast = _started(broadcast_draft(city_segment(), timing=Broadcast.Timing.LOCAL, starts_at=start),
                         now=start - datetime.timedelta(days=1))
    _written(broadcast, start - datetime.timedelta(hours=13), django_capture_on_commit_callbacks)
    assert broadcast_pause(broadcast=broadcast)

    night = datetime.datetime(2026, 12, 1, 23, 0, tzinfo=MSK)  # 01:00 in Yekaterinburg
    assert broadcast_resume(broadcast=broadcast, now=night)

    assert _written(broadcast, night, django_capture_on_commit_callbacks) == set()
    due = dict(CampaignEntry.objects.filter(campaign=broadcast).values_list("user_id", "due_at"))
    assert due == {moscow.pk: datetime.datetime(2026, 12, 2, 10, 0, tzinfo=MSK),
                   yekaterinburg.pk: datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))}


# --- A/B on a broadcast ------------------------------------------------------------------------------


def test_an_ab_broadcast_sends_the_test_share_first_and_the_winner_to_the_rest_after_the_wait(
    django_capture_on_commit_callbacks,
):
    people = customers(200)
    broadcast = broadcast_draft(city_segment())
    test = ab_variants(broadcast, test_percent=20, wait_hours=2)
    start = timezone.now()
    broadcast = _started(broadcast, now=start)

    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance(now=start)

    in_test = {f"user:{user.pk}" for user in people
               if ab_group(campaign_id=broadcast.pk, person=f"user:{user.pk}", test_percent=20, variants=2) is not None}
    first_wave = CampaignMessage.objects.filter(campaign_id=broadcast.pk)
    assert set(first_wave.values_list("person", flat=True)) == in_test
    assert 20 <= len(in_test) <= 60
    assert first_wave.filter(in_test=True).count() == len(in_test)
    b = broadcast.variants.get(position=2)
    clicked = first_wave.filter(variant=b)
    for message in clicked:
        CampaignEvent.objects.create(message=message, kind=CampaignEvent.Kind.CLICK, link=0)

    with django_capture_on_commit_callbacks(execute=True):
        counts = broadcasts_advance(now=start + datetime.timedelta(hours=2, minutes=1))

    test.refresh_from_db()
    assert counts["ab_decided"] == 1 and test.winner == b
    rest = CampaignMessage.objects.filter(campaign_id=broadcast.pk, in_test=False)
    assert rest.count() == 200 - len(in_test)
    assert set(rest.values_list("variant", flat=True)) == {b.pk}
    assert set(rest.values_list("message__subject", flat=True)) == {"Только три дня: −50%"}


def test_consent_withdrawn_after_queueing_is_respected(django_capture_on_commit_callbacks):
    people = customers(3)
    broadcast = _sending(broadcast_draft(city_segment()))
    broadcast_queue(broadcast=broadcast)
    consent_given(people[0].email, granted=False)

    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in people[1:])
    assert broadcast_progress(broadcast=broadcast).skipped == 1


def test_each_recipient_reads_it_in_their_language_when_the_text_exists(django_capture_on_commit_callbacks):
    russian, unknown = customers(1)[0], customers(1)[0]
    russian.language = "ru"
    russian.save(update_fields=["language"])
    _started(broadcast_draft(city_segment()))

    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    subjects = {email.to[0]: email.subject for email in mail.outbox}
    assert subjects == {russian.email: "Распродажа до −50%", unknown.email: "Sale: up to 50% off"}


def test_each_e_mail_carries_its_own_signed_links_though_the_layout_is_rendered_once(
    django_capture_on_commit_callbacks,
):
    customers(3)
    _started(broadcast_draft(city_segment()))

    with django_capture_on_commit_callbacks(execute=True):
        broadcasts_advance()

    messages = list(CampaignMessage.objects.select_related("message"))
    for message in messages:
        outbound = message.message
        assert "vitrina-link-" not in outbound.html_body + outbound.body
        assert outbound.unsubscribe_url in outbound.html_body and outbound.unsubscribe_url in outbound.body
        assert f"/m/c/{message.token}.0:" in outbound.html_body and f"/m/o/{message.token}:" in outbound.html_body
    assert len({message.message.html_body for message in messages}) == 3
