"""Every condition a segment can be built from, in one registry.

A condition says what it takes (its parameters, which are checked and normalised before a
segment is saved, so a stored segment is always valid) and how it narrows the customers: a Q
over customers.User that the database answers, with subqueries over indexed columns for
orders, visits, views and points. A segment's whole tree of AND / OR groups becomes one Q,
so counting or listing its members is one SQL query whatever its size.

The admin editor draws its form from `conditions_catalog()`, the same registry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Brand, Category, Product
from customers.models import PointsEntry, ProductView, User, Visit
from marketing.kinds import Channel
from marketing.preferences import marketing_consent_given_q
from marketing.segments.models import Segment
from orders.models import Order, OrderLine

# A group of conditions nests at most this deep, and a segment has at most this many
# conditions: enough for any real audience, and a bound on the query the database gets.
MAX_DEPTH = 3
MAX_CONDITIONS = 40
MAX_VALUES = 100

MONEY = DecimalField(max_digits=14, decimal_places=2)

# Orders that did not end in a sale do not make a buyer, nor count as spent.
NOT_SOLD = (Order.Status.CANCELLED, Order.Status.RETURNED, Order.Status.NOT_COLLECTED)


class SegmentCycleError(ValidationError):
    """A segment that, through "in segment" conditions, would contain itself."""


@dataclass
class Context:
    """What a compilation needs besides the conditions: the moment "today" is (the shop's
    day), and the segments being compiled, to refuse a cycle instead of recursing forever."""

    now: datetime = field(default_factory=timezone.now)
    within: tuple[int, ...] = ()

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # int, decimal, date, choice, choices, strings, id, ids, bool
    label: str
    choices: Callable[[], list[tuple[str, str]]] | None = None
    model: type | None = None  # for ids: which rows they name


@dataclass(frozen=True)
class Condition:
    field: str
    label: str
    params: tuple[Param, ...]
    build: Callable[[dict, Context], Q]
    # One of these sets of parameters must be given ("min" or "max"), beyond the required ones.
    needs_one_of: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


def _gender_choices():
    return [*User.Gender.choices, ("", _("Not given"))]


def _channel_choices():
    return [(Channel.EMAIL, _("E-mail")), (Channel.SMS, _("SMS"))]


def _language_choices():
    return list(settings.LANGUAGES)


def _recency_choices():
    return [("within", _("in the last N days")), ("not_within", _("not in the last N days")), ("never", _("never"))]


# --- Building blocks of the queries --------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _period_q(params: dict, context: Context, column: str) -> Q:
    """`from` / `to` are days inclusive (the shop's calendar); `days` is the last N days."""
    q = Q()
    if params.get("days") is not None:
        q &= Q(**{f"{column}__gte": context.now - timedelta(days=params["days"])})
    if params.get("from"):
        q &= Q(**{f"{column}__gte": _day_start(date.fromisoformat(params["from"]))})
    if params.get("to"):
        q &= Q(**{f"{column}__lt": _day_start(date.fromisoformat(params["to"]) + timedelta(days=1))})
    return q


def _sold_orders(params: dict, context: Context):
    return Order.objects.exclude(status__in=NOT_SOLD).filter(_period_q(params, context, "created_at"))


def _aggregate_range(rows, total, params: dict) -> Q:
    """Customers whose `total` (an aggregate over their own `rows`) lies between `min` and
    `max`; no rows at all is a total of 0. The total is a subquery per customer over the
    (user, created_at) index, so the database works it out only for the customers the cheaper
    conditions leave, instead of aggregating every order of the period first."""
    per_customer = rows.filter(user=OuterRef("pk")).order_by().values("user").annotate(total=total).values("total")
    amount = Coalesce(Subquery(per_customer), Value(0), output_field=total.output_field)
    q = Q()
    if params.get("min") is not None:
        q &= Q(GreaterThanOrEqual(amount, Decimal(str(params["min"]))))
    if params.get("max") is not None:
        q &= Q(LessThanOrEqual(amount, Decimal(str(params["max"]))))
    return q


def _subtree(category_ids: list[int]):
    """The chosen categories with everything under them, by their materialised paths."""
    paths = Q(pk__in=[])
    for pk in category_ids:
        paths |= Q(path__startswith=Subquery(Category.objects.filter(pk=pk).values("path")[:1]))
    return Category.objects.filter(paths).values("pk")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


# --- The conditions ------------------------------------------------------------------------


def _gender(params, context):
    return Q(gender__in=params["values"])


def _age(params, context):
    q = Q(birth_date__isnull=False)
    if params.get("min") is not None:
        q &= Q(birth_date__lte=_years_before(context.today, params["min"]))
    if params.get("max") is not None:
        q &= Q(birth_date__gt=_years_before(context.today, params["max"] + 1))
    return q


def _city(params, context):
    q = Q(pk__in=[])
    for city in params["values"]:
        q |= Q(city__iexact=city)
    return q


def _registered(params, context):
    return _period_q(params, context, "date_joined")


def _recency(model, column: str, rows=None):
    def build(params, context):
        base = (rows if rows is not None else model.objects.all()).filter(user=OuterRef("pk"))
        if params["when"] == "never":
            return ~Q(Exists(base))
        recent = Exists(base.filter(**{f"{column}__gte": context.now - timedelta(days=params["days"])}))
        return Q(recent) if params["when"] == "within" else ~Q(recent)
    return build


def _orders_count(params, context):
    return _aggregate_range(_sold_orders(params, context), Count("*", output_field=IntegerField()), params)


def _total_spent(params, context):
    return _aggregate_range(_sold_orders(params, context), Sum("total_to_pay", output_field=MONEY), params)


def _bought(lines_filter: Callable[[dict], Q]):
    def build(params, context):
        lines = OrderLine.objects.filter(lines_filter(params), order__user=OuterRef("pk")).filter(
            _period_q(params, context, "order__created_at"))
        return Q(Exists(lines.exclude(order__status__in=NOT_SOLD)))
    return build


def _viewed(views_filter: Callable[[dict], Q]):
    def build(params, context):
        views = ProductView.objects.filter(views_filter(params), user=OuterRef("pk")).filter(
            _period_q(params, context, "viewed_at"))
        return Q(Exists(views))
    return build


def _points(params, context):
    return _aggregate_range(PointsEntry.objects.all(), Sum("delta", output_field=IntegerField()), params)


def _subscribed(params, context):
    given = marketing_consent_given_q(channel=params["channel"])
    return given if params.get("subscribed", True) else ~given


def _language(params, context):
    """A customer whose language is not known yet reads the shop's default language."""
    values = list(params["values"])
    if settings.LANGUAGE_CODE[:2] in values:
        values.append("")
    return Q(language__in=values)


def _in_segment(params, context):
    pk = params["segment"]
    if pk in context.within:
        raise SegmentCycleError(_("A segment cannot include itself, directly or through other segments."))
    other = Segment.objects.filter(pk=pk).values_list("conditions", flat=True).first()
    if other is None:
        raise ValidationError(_("The segment %(id)s this one refers to no longer exists."), params={"id": pk})
    inner = Context(now=context.now, within=(*context.within, pk))
    members = User.objects.filter(conditions_q(other, context=inner)).values("pk")
    return Q(pk__in=members) if params.get("included", True) else ~Q(pk__in=members)


_DAYS = Param("days", "int", _("in the last N days"))
_FROM = Param("from", "date", _("from"))
_TO = Param("to", "date", _("to"))
_PERIOD = (_DAYS, _FROM, _TO)

CONDITIONS: dict[str, Condition] = {c.field: c for c in (
    Condition("gender", _("Sex"), (Param("values", "choices", _("sex"), choices=_gender_choices),), _gender,
              required=("values",)),
    Condition("age", _("Age"), (Param("min", "int", _("from, years")), Param("max", "int", _("to, years"))), _age,
              needs_one_of=("min", "max")),
    Condition("city", _("City"), (Param("values", "strings", _("cities")),), _city, required=("values",)),
    Condition("registered", _("Registration date"), _PERIOD, _registered, needs_one_of=("days", "from", "to")),
    Condition("last_visit", _("Last visit"), (Param("when", "choice", _("when"), choices=_recency_choices), _DAYS),
              _recency(Visit, "started_at"), required=("when",)),
    Condition("last_order", _("Last order"), (Param("when", "choice", _("when"), choices=_recency_choices), _DAYS),
              _recency(Order, "created_at", Order.objects.exclude(status__in=NOT_SOLD)), required=("when",)),
    Condition("orders_count", _("Number of orders"),
              (Param("min", "int", _("at least")), Param("max", "int", _("at most")), *_PERIOD),
              _orders_count, needs_one_of=("min", "max")),
    Condition("total_spent", _("Total spent"),
              (Param("min", "decimal", _("at least, ₽")), Param("max", "decimal", _("at most, ₽")), *_PERIOD),
              _total_spent, needs_one_of=("min", "max")),
    Condition("bought_category", _("Bought from a category"),
              (Param("values", "ids", _("categories"), model=Category), *_PERIOD),
              _bought(lambda p: Q(product__category__in=_subtree(p["values"]))), required=("values",)),
    Condition("bought_brand", _("Bought a brand"),
              (Param("values", "ids", _("brands"), model=Brand), *_PERIOD),
              _bought(lambda p: Q(product__brand__in=p["values"])), required=("values",)),
    Condition("viewed_product", _("Viewed a product"),
              (Param("values", "ids", _("products"), model=Product), *_PERIOD),
              _viewed(lambda p: Q(product__in=p["values"])), required=("values",)),
    Condition("viewed_category", _("Viewed a category"),
              (Param("values", "ids", _("categories"), model=Category), *_PERIOD),
              _viewed(lambda p: Q(product__category__in=_subtree(p["values"]))), required=("values",)),
    Condition("points", _("Points balance"), (Param("min", "int", _("at least")), Param("max", "int", _("at most"))),
              _points, needs_one_of=("min", "max")),
    Condition("subscribed", _("Subscribed to"),
              (Param("channel", "choice", _("channel"), choices=_channel_choices),
               Param("subscribed", "bool", _("subscribed"))), _subscribed, required=("channel",)),
    Condition("language", _("Language"), (Param("values", "choices", _("languages"), choices=_language_choices),),
              _language, required=("values",)),
    Condition("segment", _("In another segment"),
              (Param("segment", "id", _("segment"), model=Segment), Param("included", "bool", _("in it"))), _in_segment,
              required=("segment",)),
)}


# --- Checking what the editor sends ----------------------------------------------------------


def conditions_clean(tree, *, segment_id: int | None = None) -> dict:
    """The conditions tree checked and normalised (dates as ISO days, amounts as strings,
    lists without duplicates), or a ValidationError whose messages name each faulty condition
    by its position ("2.1": the first condition of the second group) and say what to fix."""
    errors: list[str] = []
    counter = [0]
    cleaned = _clean_group(tree, path="", depth=1, errors=errors, counter=counter)
    if counter[0] > MAX_CONDITIONS:
        _say(errors, _("A segment can have at most %(n)s conditions."), n=MAX_CONDITIONS)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _say(errors: list[str], message, **values) -> None:
    errors.append(str(message) % values)


def _clean_group(group, *, path: str, depth: int, errors: list[str], counter: list[int]) -> dict:
    where = path or str(_("the segment"))
    if not isinstance(group, dict) or set(group) - {"match", "conditions"}:
        _say(errors, _("%(where)s: a group has “match” and “conditions” only."), where=where)
        return {}
    if group.get("match", "all") not in ("all", "any"):
        _say(errors, _("%(where)s: “match” is “all” or “any”."), where=where)
    items = group.get("conditions", [])
    if not isinstance(items, list):
        _say(errors, _("%(where)s: “conditions” is a list."), where=where)
        items = []
    cleaned = []
    for index, item in enumerate(items, start=1):
        position = f"{path}.{index}" if path else str(index)
        if isinstance(item, dict) and "match" in item:
            if depth >= MAX_DEPTH:
                _say(errors, _("%(where)s: groups nest at most %(n)s deep."), where=position, n=MAX_DEPTH)
                continue
            cleaned.append(_clean_group(item, path=position, depth=depth + 1, errors=errors, counter=counter))
        else:
            counter[0] += 1
            cleaned.append(_clean_condition(item, position=position, errors=errors))
    return {"match": group.get("match", "all"), "conditions": cleaned}


def _clean_condition(item, *, position: str, errors: list[str]) -> dict:
    condition = CONDITIONS.get(item.get("field")) if isinstance(item, dict) else None
    if condition is None:
        _say(errors, _("Condition %(where)s: unknown kind of condition."), where=position)
        return {}
    where = f"{position} ({condition.label})"
    known = {param.name: param for param in condition.params}
    unknown = sorted(set(item) - set(known) - {"field"})
    if unknown:
        _say(errors, _("Condition %(where)s: unknown parameter %(names)s."), where=where, names=", ".join(unknown))
    cleaned: dict = {"field": condition.field}
    for name, param in known.items():
        raw = item.get(name)
        if raw is None or raw == "" or raw == []:
            continue
        try:
            cleaned[name] = _clean_value(param, raw)
        except ValueError as error:
            _say(errors, _("Condition %(where)s, %(param)s: %(error)s"), where=where, param=param.label, error=error)
    for name in condition.required:
        if item.get(name) in (None, "", []):
            _say(errors, _("Condition %(where)s: fill in %(param)s."), where=where, param=known[name].label)
    if condition.needs_one_of and not any(name in cleaned for name in condition.needs_one_of):
        either = str(_(" or ")).join(str(known[name].label) for name in condition.needs_one_of)
        _say(errors, _("Condition %(where)s: fill in %(params)s."), where=where, params=either)
    _check_ranges(cleaned, where=where, errors=errors)
    return cleaned


def _check_ranges(cleaned: dict, *, where: str, errors: list[str]) -> None:
    if cleaned.get("when") in ("within", "not_within") and "days" not in cleaned:
        _say(errors, _("Condition %(where)s: fill in the number of days."), where=where)
    low, high = cleaned.get("min"), cleaned.get("max")
    if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
        _say(errors, _("Condition %(where)s: “from” is greater than “to”."), where=where)
    if cleaned.get("from") and cleaned.get("to") and cleaned["from"] > cleaned["to"]:
        _say(errors, _("Condition %(where)s: the period ends before it starts."), where=where)


def _clean_value(param: Param, raw):
    if param.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError(_("enter a whole number"))
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(_("enter a whole number")) from None
        if value < 0 or value > 1_000_000_000:
            raise ValueError(_("enter a number from 0 up"))
        return value
    if param.kind == "decimal":
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(_("enter an amount")) from None
        if not value.is_finite() or value < 0 or value > Decimal("1e12"):
            raise ValueError(_("enter an amount from 0 up"))
        return str(value.quantize(Decimal("0.01")))
    if param.kind == "date":
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(_("enter a date as YYYY-MM-DD")) from None
    if param.kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError(_("answer yes or no"))
        return raw
    if param.kind == "choice":
        if raw not in {value for value, _label in param.choices()}:
            raise ValueError(_("pick one of the offered values"))
        return raw
    values = raw if isinstance(raw, list) else [raw]
    if len(values) > MAX_VALUES:
        raise ValueError(_("at most %(n)s values") % {"n": MAX_VALUES})
    if param.kind == "choices":
        allowed = {value for value, _label in param.choices()}
        if any(value not in allowed for value in values):
            raise ValueError(_("pick from the offered values"))
        return sorted(set(values))
    if param.kind == "strings":
        texts = [value.strip() for value in values if isinstance(value, str) and value.strip()]
        if len(texts) != len(values) or any(len(text) > 100 for text in texts):
            raise ValueError(_("enter names of up to 100 characters"))
        return sorted(set(texts))
    if param.kind == "id":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(_("pick from the list"))
        if not param.model.objects.filter(pk=raw).exists():
            raise ValueError(_("it no longer exists"))
        return raw
    if param.kind == "ids":
        if any(isinstance(value, bool) or not isinstance(value, int) for value in values):
            raise ValueError(_("pick from the list"))
        ids = sorted(set(values))
        if param.model.objects.filter(pk__in=ids).count() != len(ids):
            raise ValueError(_("some of the picked items no longer exist"))
        return ids
    raise ValueError(f"unknown parameter kind {param.kind}")


# --- Compiling -------------------------------------------------------------------------------


def conditions_q(tree: dict, *, context: Context | None = None) -> Q:
    """The customers that fit a cleaned conditions tree, as one Q over customers.User. Raises
    SegmentCycleError when "in segment" conditions lead back to a segment being compiled."""
    context = context or Context()
    q = Q()
    for item in tree.get("conditions", []):
        part = conditions_q(item, context=context) if "match" in item else CONDITIONS[item["field"]].build(
            item, context)
        q = (q | part) if tree.get("match") == "any" and q else (q & part)
    return q


def conditions_catalog() -> list[dict]:
    """The registry as the admin editor draws it: each condition with its parameters, their
    kinds and, for choices, the values with their names in the marketer's language."""
    return [{
        "field": condition.field, "label": str(condition.label),
        "params": [{
            "name": param.name, "kind": param.kind, "label": str(param.label),
            **({"choices": [[value, str(label)] for value, label in param.choices()]} if param.choices else {}),
            **({"model": param.model._meta.model_name} if param.model else {}),
        } for param in condition.params],
    } for condition in CONDITIONS.values()]
