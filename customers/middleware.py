"""Records visits and product views without touching the session.

The visit lives in a signed cookie ("visitor:visit:last-seen:campaign"), so anonymous browsing
needs no session row, no read per request, and cached pages stay cacheable. A request writes
at most once: a new visit and the product it landed on go in one transaction; a product page on
an existing visit is one INSERT, or, when views are buffered (PRODUCT_VIEWS_BUFFERED), one RPUSH
(customers.services.product_views_record).
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.utils import timezone

from customers import services
from customers.activity import is_bot

logger = logging.getLogger(__name__)

COOKIE_NAME = "vt"
COOKIE_SALT = "customers.visit"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365 * 2
UNTRACKED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/favicon")
CAMPAIGN_PARAMS = ("utm_source", "utm_medium", "utm_campaign")


@dataclass
class SiteActivity:
    visitor_id: uuid.UUID
    visit_id: int | None
    campaign: str
    viewed_product_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class VisitCookie:
    visitor_id: uuid.UUID | None = None
    visit_id: int | None = None
    last_seen: int = 0
    campaign: str = ""


def read_visit_cookie(request) -> VisitCookie:
    """A missing, expired-format or tampered cookie is simply a visitor we have not seen."""
    try:
        visitor, visit, last_seen, campaign = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT).split(":")
        return VisitCookie(uuid.UUID(visitor), int(visit), int(last_seen), campaign)
    except (KeyError, ValueError, signing.BadSignature):
        return VisitCookie()


def _campaign(request) -> str:
    """A short fingerprint of the UTM tags the request arrived with; empty without tags."""
    tags = [request.GET.get(name, "").strip() for name in CAMPAIGN_PARAMS]
    if not any(tags):
        return ""
    return hashlib.blake2b("\n".join(tags).encode(), digest_size=6).hexdigest()


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _own_host(request) -> str:
    return _host(f"//{request.get_host()}")


def _is_internal(request) -> bool:
    return _host(request.META.get("HTTP_REFERER", "")) == _own_host(request)


def _starts_new_visit(request, cookie: VisitCookie, campaign: str, now: int) -> bool:
    if now - cookie.last_seen > settings.VISIT_IDLE_MINUTES * 60:
        return True
    # Arriving on a link tagged for another campaign is a new visit even within the idle
    # window, as analytics counts it. Our own pages keep the tags in filter and pagination
    # links, and a reload repeats them: neither is a new arrival.
    return bool(campaign) and campaign != cookie.campaign and not _is_internal(request)


class SiteActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_tracked(request):
            return self.get_response(request)

        cookie = read_visit_cookie(request)
        now = int(timezone.now().timestamp())
        campaign = _campaign(request)
        visit_id = cookie.visit_id
        if visit_id is not None and _starts_new_visit(request, cookie, campaign, now):
            visit_id = None
        request.site_activity = activity = SiteActivity(
            visitor_id=cookie.visitor_id or uuid.uuid4(),
            visit_id=visit_id,
            campaign=campaign if visit_id is None else cookie.campaign,
        )

        response = self.get_response(request)

        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            self._record(request, activity)
            response.set_signed_cookie(
                COOKIE_NAME, f"{activity.visitor_id}:{activity.visit_id}:{now}:{activity.campaign}",
                salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    @staticmethod
    def _is_tracked(request) -> bool:
        return (
            request.method == "GET"
            and not request.path.startswith(UNTRACKED_PREFIXES)
            and not getattr(request, "htmx", False)
            and not is_bot(request.META.get("HTTP_USER_AGENT", ""))
        )

    @classmethod
    def _record(cls, request, activity: SiteActivity) -> None:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        if activity.visit_id is not None and activity.viewed_product_ids:
            try:
                services.product_views_record(visit_id=activity.visit_id, user=user,
                                              product_ids=activity.viewed_product_ids)
                return
            except IntegrityError:
                # The cookie names a visit that is gone (old visits are purged): start afresh.
                # Only a direct write notices; a buffered view of a gone visit is dropped at flush.
                logger.info("Visit %s from the cookie no longer exists", activity.visit_id)
                activity.visit_id = None
        if activity.visit_id is None:
            visit = services.visit_start(
                visitor_id=activity.visitor_id,
                user=user,
                landing_page=request.get_full_path(),
                referrer=request.META.get("HTTP_REFERER", ""),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                query=request.GET,
                own_host=_own_host(request),
                viewed_product_ids=activity.viewed_product_ids,
            )
            activity.visit_id = visit.pk
