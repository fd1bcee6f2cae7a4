import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from catalog.models import Product
from core.phones import phone_normalize_or_keep
from customers import view_buffer
from customers.activity import classify_channel, device_from_user_agent
from customers.models import CONSENT_WORDING_VERSION, Consent, PointsEntry, ProductView, User, Visit, VisitEvent
from customers.signals import customer_signed_up

logger = logging.getLogger(__name__)


def _clip(value: str, model_field: str, model=Visit) -> str:
    return value[: model._meta.get_field(model_field).max_length]


@transaction.atomic
def visit_start(
    *,
    visitor_id: UUID,
    user: User | None,
    landing_page: str,
    referrer: str,
    user_agent: str,
    query: Mapping[str, str],
    own_host: str,
    viewed_product_ids: Sequence[int] = (),
) -> Visit:
    """Record the start of a visit with its channel, and the products seen on its first page.
    Both rows commit together: one write for the request."""
    utm = {key: query.get(key, "").strip() for key in ("utm_source", "utm_medium", "utm_campaign")}
    visit = Visit.objects.create(
        visitor_id=visitor_id,
        user=user,
        started_at=timezone.now(),
        landing_page=_clip(landing_page, "landing_page"),
        referrer=_clip(referrer, "referrer"),
        channel=classify_channel(
            utm_source=utm["utm_source"], utm_medium=utm["utm_medium"], referrer=referrer,
            landing_url=landing_page, own_host=own_host,
        ),
        device=device_from_user_agent(user_agent),
        **{key: _clip(value, key) for key, value in utm.items()},
    )
    product_views_record(visit_id=visit.pk, user=user, product_ids=viewed_product_ids)
    return visit


def product_views_record(*, visit_id: int, user: User | None, product_ids: Sequence[int]) -> None:
    """Record the products a page showed on a visit: the one way a product view is recorded.
    With PRODUCT_VIEWS_BUFFERED the views wait in Redis (one RPUSH, no database write) and
    product_views_flush writes them within seconds; a visit purged meanwhile loses them at the
    flush. Otherwise, or when Redis cannot take them, they are one INSERT now: a Redis outage
    costs time, not views."""
    if settings.PRODUCT_VIEWS_BUFFERED:
        try:
            view_buffer.push(visit_id=visit_id, user_id=user.pk if user else None, product_ids=product_ids,
                             viewed_at=timezone.now())
            return
        except RedisError:
            logger.warning("Product views of visit %s written directly: Redis refused them", visit_id,
                           exc_info=True)
    now = timezone.now()
    views = [ProductView(visit_id=visit_id, user=user, product_id=product_id, viewed_at=now)
             for product_id in product_ids]
    if len(views) == 1:
        views[0].save(force_insert=True)  # bulk_create would wrap the one row in a transaction
    elif views:
        ProductView.objects.bulk_create(views)


def visit_event_record(*, visit_id: int | None, kind: str) -> None:
    """Note that a visit took a funnel step (VisitEvent.Kind); only its first time is kept. No
    visit, or a visit purged since its cookie was set, changes nothing and never fails the
    shopper's request: the step is analytics, the cart or the checkout it follows is not."""
    if visit_id is None or not Visit.objects.filter(pk=visit_id).exists():
        return
    try:
        with transaction.atomic():
            VisitEvent.objects.bulk_create([VisitEvent(visit_id=visit_id, kind=kind, happened_at=timezone.now())],
                                           ignore_conflicts=True)
    except IntegrityError:  # purged between the check and the insert
        logger.info("Visit %s is gone: its %s step is not kept", visit_id, kind)


@transaction.atomic
def product_views_write(*, views: Sequence[view_buffer.BufferedView]) -> int:
    """Write a batch of buffered views; returns how many were kept."""
    # Visits are purged and products deleted while their views wait: those views are dropped
    # rather than failing the batch. A deleted customer's view stays, anonymous (as SET_NULL would).
    def existing(model, ids) -> set[int]:
        return set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))

    visits = existing(Visit, {view.visit_id for view in views})
    products = existing(Product, {view.product_id for view in views})
    users = existing(User, {view.user_id for view in views if view.user_id is not None})
    rows = [
        (view.visit_id, view.user_id if view.user_id in users else None, view.product_id, view.viewed_at)
        for view in views if view.visit_id in visits and view.product_id in products
    ]
    _product_view_rows_write(rows)
    return len(rows)


_PRODUCT_VIEW_COLUMNS = ("visit_id", "user_id", "product_id", "viewed_at")


def _product_view_rows_write(rows: list[tuple]) -> None:
    """On PostgreSQL a batch is one COPY: a flush writes hundreds of views a second, and
    building a model object and an INSERT clause for each cost several times what the
    database spends storing it."""
    if connection.vendor != "postgresql":
        ProductView.objects.bulk_create(ProductView(**dict(zip(_PRODUCT_VIEW_COLUMNS, row, strict=True)))
                                        for row in rows)
        return
    table = connection.ops.quote_name(ProductView._meta.db_table)
    columns = ", ".join(_PRODUCT_VIEW_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def product_views_flush(*, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Write the views product_views_record buffered before the flush began, batch by batch, or
    max_batches of them. Views keep arriving while a batch is written; a flush that chased them to
    an empty buffer would go on writing batches of a dozen views, each a transaction, for as long
    as shoppers browse: those wait for the next flush. At least once (see customers.view_buffer):
    a batch leaves Redis only after its rows committed, and one left by a dead worker is written
    first; a worker dying between the commit and that cleanup writes its batch twice. One flush at
    a time: a call while another runs returns 0 at once. Returns the rows written; 0 without Redis."""
    if not view_buffer.is_available():
        return 0
    written = 0
    with view_buffer.flush_lock() as lock:
        if lock is None:
            return 0
        waiting = view_buffer.pending()
        for _ in range(max_batches):
            batch = lock.batch_take(size=min(batch_size, waiting)) if waiting > 0 else None
            if batch is None:
                break
            waiting -= len(batch)
            written += product_views_write(views=batch)
            if not lock.batch_done():
                break
    return written


# --- Loyalty points ---------------------------------------------------------------------
# Every write locks the customer's row first, so two checkouts spending points at once
# take turns and the balance they each read is the one they write against.


class InsufficientPoints(ValidationError):
    def __init__(self, *, balance: int, requested: int) -> None:
        super().__init__(
            _("You have %(balance)s points; %(requested)s cannot be spent."),
            code="insufficient_points",
            params={"balance": balance, "requested": requested},
        )
        self.balance = balance
        self.requested = requested


def _lock_customer(user: User) -> None:
    # NO KEY UPDATE: an order row being inserted for this customer (KEY SHARE) does not block it.
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True).get()


def _whole_points(points: int) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValidationError(_("Points must be a whole number above zero."), code="invalid_points")
    return points


def points_balance(*, user: User) -> int:
    return PointsEntry.objects.filter(user=user).aggregate(total=Sum("delta"))["total"] or 0


def _order_points(*, user: User, order_number: str, reasons: Sequence[str]) -> int:
    entries = PointsEntry.objects.filter(user=user, order_number=order_number, reason__in=reasons)
    return entries.aggregate(total=Sum("delta"))["total"] or 0


@transaction.atomic
def points_spend(*, user: User, points: int, order_number: str = "", comment: str = "") -> PointsEntry:
    """Take points from the balance. The balance never goes below zero, also when several
    checkouts of one customer spend at the same moment: they queue on the customer's row."""
    points = _whole_points(points)
    _lock_customer(user)
    balance = points_balance(user=user)
    if points > balance:
        raise InsufficientPoints(balance=balance, requested=points)
    return PointsEntry.objects.create(
        user=user, delta=-points, reason=PointsEntry.Reason.SPENT, order_number=order_number, comment=comment
    )


@transaction.atomic
def points_earn(
    *, user: User, points: int, order_number: str = "", comment: str = "", expires_at: datetime | None = None,
) -> PointsEntry | None:
    """Credit points that expire after settings.POINTS_LIFETIME_DAYS. Earning for an order
    happens once: a second call for the same order number adds nothing and returns None."""
    points = _whole_points(points)
    _lock_customer(user)
    if order_number and PointsEntry.objects.filter(
        user=user, order_number=order_number, reason=PointsEntry.Reason.EARNED
    ).exists():
        return None
    if expires_at is None and settings.POINTS_LIFETIME_DAYS:
        expires_at = timezone.now() + timedelta(days=settings.POINTS_LIFETIME_DAYS)
    return PointsEntry.objects.create(
        user=user, delta=points, reason=PointsEntry.Reason.EARNED, order_number=order_number,
        comment=comment, expires_at=expires_at,
    )


@transaction.atomic
def points_refund(*, user: User, order_number: str) -> int:
    """Give back the points spent on an order (cancelled, returned). Safe to call twice:
    only what was spent and not yet given back is returned. Returns the points credited."""
    _lock_customer(user)
    spent = -_order_points(user=user, order_number=order_number, reasons=[PointsEntry.Reason.SPENT])
    refunded = _order_points(user=user, order_number=order_number, reasons=[PointsEntry.Reason.REFUNDED])
    due = spent - refunded
    if due > 0:
        PointsEntry.objects.create(
            user=user, delta=due, reason=PointsEntry.Reason.REFUNDED, order_number=order_number
        )
    return max(due, 0)


@transaction.atomic
def points_revoke(*, user: User, order_number: str) -> int:
    """Take back the points earned for an order that came back. Never more than the balance:
    points already spent stay spent. Safe to call twice. Returns the points taken."""
    _lock_customer(user)
    earned = _order_points(user=user, order_number=order_number, reasons=[PointsEntry.Reason.EARNED])
    revoked = -_order_points(user=user, order_number=order_number, reasons=[PointsEntry.Reason.REVOKED])
    due = min(earned - revoked, points_balance(user=user))
    if due > 0:
        PointsEntry.objects.create(
            user=user, delta=-due, reason=PointsEntry.Reason.REVOKED, order_number=order_number
        )
    return max(due, 0)


@transaction.atomic
def points_expire(*, user: User, now: datetime | None = None) -> int:
    """Write off earned points whose time is up. Spending is counted against the points that
    expire first, so only what was earned, has expired and was never used is taken. Re-running
    takes nothing more. Returns the points written off."""
    now = now or timezone.now()
    _lock_customer(user)
    matured = PointsEntry.objects.filter(
        user=user, reason=PointsEntry.Reason.EARNED, expires_at__lte=now
    ).aggregate(total=Sum("delta"))["total"] or 0
    used = -(PointsEntry.objects.filter(user=user).exclude(reason=PointsEntry.Reason.EARNED)
             .exclude(reason=PointsEntry.Reason.ADJUSTED).aggregate(total=Sum("delta"))["total"] or 0)
    due = min(matured - used, points_balance(user=user))
    if due > 0:
        PointsEntry.objects.create(user=user, delta=-due, reason=PointsEntry.Reason.EXPIRED)
    return max(due, 0)


def points_expire_all(*, now: datetime | None = None) -> int:
    """Write off expired points for every customer who has some; one customer at a time, each
    under its own lock, so a crash midway loses nothing and a re-run takes nothing twice."""
    now = now or timezone.now()
    holders = (PointsEntry.objects.filter(reason=PointsEntry.Reason.EARNED, expires_at__lte=now)
               .values_list("user_id", flat=True).distinct())
    total = 0
    for user in User.objects.filter(pk__in=holders).only("pk"):
        with transaction.atomic():
            total += points_expire(user=user, now=now)
    return total


def customer_timezone_remember(*, user: User, time_zone: str) -> None:
    """Keep the zone of the customer's latest delivery address (customers.timezones) for what
    the shop sends them outside an order; an address whose zone is unknown changes nothing."""
    if time_zone:
        User.objects.filter(pk=user.pk).exclude(timezone=time_zone).update(timezone=time_zone)
        user.timezone = time_zone


def customer_language_remember(*, user: User, language: str) -> None:
    """Keep the language the customer uses the shop in (set at sign-in and sign-up), for the
    messages the shop sends them later; a language the shop does not offer changes nothing.
    Written only when it changed."""
    language = (language or "").split("-")[0].lower()
    if language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


# --- Consents -----------------------------------------------------------------------------


def consent_record(
    *, kind: str, granted: bool, wording_version: str, source: str,
    user: User | None = None, email: str = "", phone: str = "", topic: str = "",
) -> Consent:
    """Keep one answer to one consent question as evidence. Nothing is overwritten: the
    latest record of a kind is the customer's current answer (for marketing, as
    marketing.preferences.marketing_consent_given weighs it). `topic` narrows a marketing answer
    to one kind of message. The phone is kept in E.164 (core.phones), or as typed when it is
    not a number phone_normalize reads."""
    email = (email or "").strip().lower()
    phone = phone_normalize_or_keep(phone)  # the outbox writes E.164 and the sender asks by it
    if user is None and not email and not phone:
        raise ValidationError(_("A consent must name the person: an account, an e-mail or a phone."))
    if kind not in Consent.Kind.values:
        raise ValidationError(_("Unknown kind of consent."), code="invalid_consent")
    if not wording_version:
        raise ValidationError(_("A consent must name the version of the wording shown."))
    return Consent.objects.create(
        user=user, email=email, phone=phone, kind=kind, granted=granted,
        wording_version=wording_version, source=source, topic=topic,
    )


@transaction.atomic
def customer_sign_up(
    *, email: str, password: str, first_name: str = "", last_name: str = "", phone: str = "",
    marketing_email: bool = False, marketing_sms: bool = False, request=None,
) -> User:
    """Create a shopper's account with the consents given on the sign-up form: the required
    consent to personal-data processing and the optional marketing ones, each recorded with
    the wording version and "registration" as the source. All or nothing. Announces
    customer_signed_up in the same transaction."""
    user = User(email=email, first_name=first_name, last_name=last_name, phone=phone_normalize_or_keep(phone))
    user.set_password(password)
    user.save()
    answers = [(Consent.Kind.PERSONAL_DATA, True)]
    answers += [(kind, True) for kind, given in ((Consent.Kind.MARKETING_EMAIL, marketing_email),
                                                  (Consent.Kind.MARKETING_SMS, marketing_sms)) if given]
    for kind, granted in answers:
        consent_record(kind=kind, granted=granted, wording_version=CONSENT_WORDING_VERSION,
                       source=Consent.Source.REGISTRATION, user=user, email=user.email, phone=user.phone)
    customer_signed_up.send(sender=User, user=user, request=request)
    return user
