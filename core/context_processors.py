from django.conf import settings


def store(request):
    return {
        "STORE_NAME": settings.STORE_NAME,
        "COUNTERS": {
            "metrica": settings.YANDEX_METRICA_ID,
            "ga4": settings.GA4_MEASUREMENT_ID,
            "need_consent": settings.COUNTERS_NEED_CONSENT,
        } if settings.YANDEX_METRICA_ID or settings.GA4_MEASUREMENT_ID else None,
    }
