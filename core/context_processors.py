from django.conf import settings

from core.counters import counters_settings


def store(request):
    return {"STORE_NAME": settings.STORE_NAME, "COUNTERS": counters_settings()}
