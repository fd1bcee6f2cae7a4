"""When a message may go out: SMS quiet hours and retry backoff."""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 60 * 60


def zone_for(name: str) -> ZoneInfo:
    """The customer's zone, or the shop's when unknown or unset."""
    try:
        return ZoneInfo(name) if name else ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def quiet_hours_end(moment: datetime.datetime, *, time_zone: str) -> datetime.datetime | None:
    """When the quiet hours around `moment` end in that zone, or None if `moment` is not in them."""
    start = datetime.time.fromisoformat(settings.SMS_QUIET_HOURS_START)
    end = datetime.time.fromisoformat(settings.SMS_QUIET_HOURS_END)
    if start == end:
        return None
    zone = zone_for(time_zone)
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    day = local.date()
    if start > end:  # the night wraps midnight, e.g. 21:00–09:00
        if now >= start:
            day += datetime.timedelta(days=1)
        elif now >= end:
            return None
    elif not start <= now < end:
        return None
    return datetime.datetime.combine(day, end, tzinfo=zone)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8... minutes after the n-th failed attempt, at most an hour."""
    return datetime.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def customer_time_zone(*, user=None) -> ZoneInfo:
    """The customer's time zone (told by where their parcels go), or the shop's (TIME_ZONE)
    when it is not known: the one place that send windows and birthdays ask."""
    return zone_for(getattr(user, "timezone", "") or "")


def window_start(
    moment: datetime.datetime, *, start: datetime.time | None, end: datetime.time | None, zone: ZoneInfo
) -> datetime.datetime:
    """`moment` if it lies in the daily window [start, end) in `zone`, else the window's next
    opening. No window (None) is always open; a window may wrap midnight (19:00–02:00)."""
    if start is None or end is None or start == end:
        return moment
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else (now >= start or now < end)
    if inside:
        return moment
    day = local.date() if now < start else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, start, tzinfo=zone)
