"""Shop days: reports count days as the shop lives them, in settings.TIME_ZONE, whatever the
server's clock or the database's UTC timestamps say."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 731


def shop_today() -> date:
    return timezone.localdate()


def day_start(day: date) -> datetime:
    """The aware instant the shop day begins (local midnight, DST-safe)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def day_of(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


@dataclass(frozen=True)
class Period:
    """Shop days `start`..`end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(_("The period ends before it starts."), code="period_reversed")
        if self.days > MAX_DAYS:
            raise ValidationError(_("A period may be at most %(days)d days long."), code="period_too_long",
                                  params={"days": MAX_DAYS})

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        return day_start(self.start)

    @property
    def until(self) -> datetime:
        return day_start(self.end + timedelta(days=1))

    def previous(self) -> "Period":
        """The same number of days just before: what the change on a KPI tile is measured against."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def each_day(self):
        return (self.start + timedelta(days=offset) for offset in range(self.days))


PRESETS = {
    "today": _("Today"),
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "month": _("This month"),
    "last_month": _("Last month"),
}


def period_for_preset(preset: str, *, today: date | None = None) -> Period:
    today = today or shop_today()
    if preset == "today":
        return Period(today, today)
    if preset in ("7d", "30d", "90d"):
        return Period(today - timedelta(days=int(preset[:-1]) - 1), today)
    if preset == "month":
        return Period(today.replace(day=1), today)
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end)
    raise ValidationError(_("Unknown period “%(preset)s”."), code="unknown_preset", params={"preset": preset})
