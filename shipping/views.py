"""Carriers' webhooks. A webhook is only a hint which parcel has news: the shop asks the
carrier's API itself (parcel_check), so an unsigned or forged webhook cannot move an order."""

import logging

from django.db import transaction
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.transactions import after_commit
from shipping.carriers import CARRIERS, CarrierRefused, carrier_get
from shipping.services import parcels_with_news
from shipping.tasks import parcel_check_task

logger = logging.getLogger(__name__)


def _check_later(parcel_ids: list[int]) -> None:
    for parcel_id in parcel_ids:
        try:
            parcel_check_task.delay(parcel_id)
        except Exception:
            # The broker is down: the parcel is due now, the next poll checks it.
            logger.exception("Parcel %s: the check could not be queued; the poll does it", parcel_id)


@csrf_exempt  # the carrier's server posts here; nothing it says is believed without asking its API
@require_POST
def carrier_webhook(request, carrier: str):
    if carrier not in CARRIERS:
        raise Http404
    try:
        numbers = carrier_get(carrier).webhook_tracking_numbers(request.body)
    except CarrierRefused as error:
        return HttpResponse(f"bad webhook: {error}", status=400, content_type="text/plain")
    with transaction.atomic():
        parcel_ids = parcels_with_news(carrier=carrier, tracking_numbers=numbers)
        after_commit(lambda: _check_later(parcel_ids))
    return HttpResponse("ok", content_type="text/plain")
