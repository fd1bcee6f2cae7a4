import os

from celery import Celery
from celery.schedules import crontab

from config.env import product_views_buffered

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
    # Parcels waiting at a pickup point: a "call the customer" follow-up for the order's manager after
    # PARCEL_CALL_TASK_DAYS, and "not collected" (stock back) after PICKUP_STORAGE_DAYS. Both are
    # idempotent, so a late or doubled run is harmless; ten minutes is precise enough for days.
    # (The entry keeps its name: django-celery-beat's row of that name is updated, not orphaned.)
    "marketing-parcel-call-tasks": {
        "task": "marketing.tasks.follow_ups_open_for_uncollected_parcels_task",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Trigger campaigns: each running campaign's trigger looks for new causes (set-based SQL,
    # safe to run twice at once), and due steps go out through consent, window and cap.
    "marketing-campaigns-scan": {
        "task": "marketing.tasks.campaigns_scan_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "marketing-campaigns-dispatch": {
        "task": "marketing.tasks.campaign_entries_dispatch_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Broadcasts: start those whose time has come, queue their recipients in batches (resumable),
    # and write due messages within each channel's rate per minute. Overlapping runs share the
    # work through row locks; the rate is one locked row per channel.
    "marketing-broadcasts-advance": {
        "task": "marketing.tasks.broadcasts_advance_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # A/B tests whose waiting time is up get their winner (once: a conditional UPDATE), and the
    # rest of the campaign's people get it from then on.
    "marketing-ab-tests-decide": {
        "task": "marketing.tasks.ab_tests_decide_due_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Bonus points past POINTS_LIFETIME_DAYS are written off once a night (idempotent).
    "customers-points-expire": {
        "task": "customers.tasks.points_expire_task",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3600},
    },
    # Marketplace feeds are rebuilt a few minutes after catalog changes; this hourly build also
    # catches what changes without a signal (stock taken by orders, a broker that was down).
    "integrations-feeds-build": {
        "task": "integrations.tasks.feeds_build_task",
        "schedule": crontab(minute=15),
        "options": {"expires": 3000},
    },
    # Webhook deliveries that are due (retries, tasks lost while the broker was down) and those a
    # dead worker left "sending".
    "integrations-webhooks-sweep": {
        "task": "integrations.tasks.webhooks_sweep_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Online payments whose notification is late are asked about (a lost webhook), refunds the
    # provider did not confirm are sent again; both are idempotent, so overlapping runs are harmless.
    "orders-payments-sweep": {
        "task": "orders.tasks.payments_sweep_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # "Popular first" follows the sales counted since the last run; orders change the counts all
    # day without dropping any cached listing.
    "catalog-popularity-refresh": {
        "task": "catalog.tasks.storefront_popularity_refresh_task",
        "schedule": crontab(minute=0),
        "options": {"expires": 3000},
    },
    # Pictures whose thumbnail task never reached a worker (a broker down at the upload) get them.
    "catalog-missing-thumbnails": {
        "task": "catalog.tasks.product_images_make_missing_thumbnails_task",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Parcels on their way are asked about at their carrier (each parcel every PARCEL_CHECK_MINUTES,
    # longer after failures); claimed rows make overlapping runs skip each other's parcels.
    "shipping-parcels-poll": {
        "task": "shipping.tasks.parcels_poll_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # The carriers' lists of pickup points and lockers, once a night (idempotent).
    "shipping-pickup-points-load": {
        "task": "shipping.tasks.pickup_points_load_task",
        "schedule": crontab(hour=4, minute=15),
        "options": {"expires": 3600},
    },
    "orders-not-collected-expire": {
        "task": "orders.tasks.orders_not_collected_expire_task",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # The analytics rollups: days that ended or changed since the last run (only those) are
    # recomputed; today is always computed live by the reports. Idempotent, so a doubled run
    # is harmless and a missed one is caught up by the next.
    "analytics-rollups-refresh": {
        "task": "analytics.tasks.rollups_refresh_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Today's dashboard figures computed once a minute for every reader (ANALYTICS_TODAY_SECONDS):
    # the owner's first look in a minute does not wait for them. A run not started in time is dropped.
    "analytics-today-warm": {
        "task": "analytics.tasks.today_parts_warm_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

if product_views_buffered():
    # Product views buffered in Redis reach the database within seconds; what reads them (the
    # customer card, triggers on browsing) can wait that long. A flush not started before the
    # next one is due is dropped. Without the buffer there is nothing to flush, so no entry.
    app.conf.beat_schedule["customers-product-views-flush"] = {
        "task": "customers.tasks.product_views_flush_task",
        "schedule": 5.0,
        "options": {"expires": 4},
    }
