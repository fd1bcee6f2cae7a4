import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vitrina")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work lives here so it is reviewed with the code; later features add entries.
app.conf.beat_schedule = {
    # Sends due messages (delays, retries, tasks lost while the broker was down) and settles
    # messages a dead worker left "sending". A sweep not started within the minute is dropped.
    "marketing-messages-sweep": {
        "task": "marketing.tasks.messages_sweep_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
