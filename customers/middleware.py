"""Records visits and product views without touching the session.

The visit lives in a signed cookie ("visitor:visit:last-seen"), so anonymous browsing needs
no session row, no read per request, and cached pages stay cacheable. A request writes at
most once: a new visit and the product it landed on go in one transaction.
"""

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.utils import timezone

from customers import services
from customers.activity import is_bot

COOKIE_NAME = "vt"
COOKIE_SALT = "customers.visit"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365 * 2
UNTRACKED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/favicon")


@dataclass
class SiteActivity:
    visitor_id: uuid.UUID
    visit_id: int | None
    viewed_product_ids: list[int] = field(default_factory=list)


def _read_cookie(request) -> tuple[uuid.UUID | None, int | None, int]:
    try:
        visitor, visit, last_seen = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT).split(":")
        return uuid.UUID(visitor), int(visit), int(last_seen)
    except (KeyError, ValueError, signing.BadSignature):
        return None, None, 0


def _starts_new_visit(request, last_seen: int, now: int) -> bool:
    idle_limit = settings.VISIT_IDLE_MINUTES * 60
    # A click on a tagged link is a new visit even within the idle window, as analytics counts it.
    return now - last_seen > idle_limit or "utm_source" in request.GET


class SiteActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_tracked(request):
            return self.get_response(request)

        visitor_id, visit_id, last_seen = _read_cookie(request)
        now = int(timezone.now().timestamp())
        if visit_id is not None and _starts_new_visit(request, last_seen, now):
            visit_id = None
        request.site_activity = activity = SiteActivity(visitor_id=visitor_id or uuid.uuid4(), visit_id=visit_id)

        response = self.get_response(request)

        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            self._record(request, activity)
            response.set_signed_cookie(
                COOKIE_NAME, f"{activity.visitor_id}:{activity.visit_id}:{now}", salt=COOKIE_SALT,
                max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure(),
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

    @staticmethod
    def _record(request, activity: SiteActivity) -> None:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        if activity.visit_id is None:
            visit = services.visit_start(
                visitor_id=activity.visitor_id,
                user=user,
                landing_page=request.get_full_path(),
                referrer=request.META.get("HTTP_REFERER", ""),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                query=request.GET,
                own_host=urlsplit(request.build_absolute_uri()).hostname or "",
                viewed_product_ids=activity.viewed_product_ids,
            )
            activity.visit_id = visit.pk
        elif activity.viewed_product_ids:
            services.product_views_record(
                visit_id=activity.visit_id, user=user, product_ids=activity.viewed_product_ids
            )
