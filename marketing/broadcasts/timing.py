"""When a broadcast reaches each recipient: one rule per timing, in the recipient's time zone."""

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings


def next_at_hour(not_before: datetime.datetime, *, at: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """The first moment at or after `not_before` whose local time in `zone` is `at`."""
    local = not_before.astimezone(zone)
    moment = datetime.datetime.combine(local.date(), at, tzinfo=zone)
    if moment < not_before:
        moment = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), at, tzinfo=zone)
    return moment


def same_wall_time(start: datetime.datetime, *, zone: ZoneInfo, not_before: datetime.datetime) -> datetime.datetime:
    """The wall-clock time of `start` in the shop's zone, on that date, in `zone` (10:00 for the
    shop is 10:00 for each recipient); never before `not_before`: an hour already gone there
    is sent at once."""
    shop = start.astimezone(ZoneInfo(settings.TIME_ZONE))
    return max(datetime.datetime.combine(shop.date(), shop.time(), tzinfo=zone), not_before)


def best_hour(moments: list[datetime.datetime], *, zone: ZoneInfo) -> int | None:
    """The local hour at which a person opened or clicked most (the earlier hour of equals), or
    None with nothing to go by."""
    if not moments:
        return None
    hours = Counter(moment.astimezone(zone).hour for moment in moments)
    return min(hours, key=lambda hour: (-hours[hour], hour))


def default_send_time() -> datetime.time:
    return datetime.time.fromisoformat(settings.BROADCAST_DEFAULT_SEND_TIME)
