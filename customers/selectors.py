from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from customers.middleware import read_visit_cookie
from customers.models import Address, Consent, DataRequest, PointsEntry, User, Visit
from customers.signals import personal_data_exporting

EXPORT_FORMAT_VERSION = 1


def addresses_for_customer(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user)


def address_get_for_customer(*, user: User, pk: int) -> Address:
    """The customer's own address; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(Address, user=user, pk=pk)


def points_entries_for_customer(*, user: User) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(user=user).order_by("-created_at", "-id")


def data_request_open(*, user: User, kind: str) -> DataRequest | None:
    return DataRequest.objects.filter(user=user, kind=kind, status=DataRequest.Status.NEW).first()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data_export(*, user: User) -> dict:
    """Everything the shop keeps about the customer, as plain JSON-ready data.

    Only rows linked to this account are included. Apps above customers (orders) add their
    sections through the personal_data_exporting signal, so the export is complete without
    this app importing them."""
    data = {
        "format_version": EXPORT_FORMAT_VERSION,
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "gender": user.gender,
            "birth_date": _iso(user.birth_date),
            "city": user.city,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "addresses": [
            {"label": a.label, "city": a.city, "address": a.address, "postcode": a.postcode,
             "created_at": _iso(a.created_at)}
            for a in addresses_for_customer(user=user)
        ],
        "consents": [
            {"kind": c.kind, "topic": c.topic, "granted": c.granted, "wording_version": c.wording_version,
             "source": c.source, "email": c.email, "phone": c.phone, "created_at": _iso(c.created_at)}
            for c in Consent.objects.filter(user=user).order_by("created_at", "id")
        ],
        "points": [
            {"delta": e.delta, "reason": e.reason, "order_number": e.order_number, "comment": e.comment,
             "created_at": _iso(e.created_at), "expires_at": _iso(e.expires_at)}
            for e in PointsEntry.objects.filter(user=user).order_by("created_at", "id")
        ],
        "visits": [
            {"started_at": _iso(v.started_at), "landing_page": v.landing_page, "referrer": v.referrer,
             "channel": v.channel, "device": v.device, "utm_source": v.utm_source, "utm_medium": v.utm_medium,
             "utm_campaign": v.utm_campaign}
            for v in Visit.objects.filter(user=user).order_by("started_at", "id")
        ],
        "data_requests": [
            {"kind": r.kind, "status": r.status, "created_at": _iso(r.created_at)}
            for r in DataRequest.objects.filter(user=user).order_by("created_at", "id")
        ],
    }
    for _receiver, sections in personal_data_exporting.send(sender=User, user=user):
        data.update(sections or {})
    return data


def visit_id_for_request(request) -> int | None:
    """The id of the visit a request belongs to: the one the activity middleware tracks, or for a
    request it does not track (a POST such as checkout) the one its visit cookie names. The visit
    may have been purged since: use it where a missing row is harmless."""
    activity = getattr(request, "site_activity", None)
    return activity.visit_id if activity is not None else read_visit_cookie(request).visit_id


def visit_for_request(request) -> Visit | None:
    visit_id = visit_id_for_request(request)
    return Visit.objects.filter(pk=visit_id).first() if visit_id else None
