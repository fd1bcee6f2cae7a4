"""The shop's web counters (Yandex Metrica, Google Analytics 4): on only when the shop set an id."""

from django.conf import settings


def counters_settings() -> dict | None:
    """What static/js/counters.js needs, or None when no counter is configured (then no page
    carries counter scripts or e-commerce facts)."""
    if not (settings.YANDEX_METRICA_ID or settings.GA4_MEASUREMENT_ID):
        return None
    return {
        "metrica": settings.YANDEX_METRICA_ID,
        "ga4": settings.GA4_MEASUREMENT_ID,
        "need_consent": settings.COUNTERS_NEED_CONSENT,
    }
