"""Vitrina settings. Everything that differs between machines comes from the environment.

Unset, the defaults give a self-contained development store: SQLite under var/, a Celery
broker on the file system, e-mail written to var/mail/. Set DATABASE_URL and REDIS_URL for
PostgreSQL and Redis; set DEBUG=0 and SECRET_KEY for production.

DJANGO_SETTINGS_MODULE is "config.settings", this package; its modules by topic:
    base          where files are, debug and SECRET_KEY, apps, middleware, templates, sign-in,
                  language and time, static and media, logging
    databases     DATABASE_URL (or SQLite under var/) and a reports replica
    caches        REDIS_URL (or memory): the cache and sessions
    celery        the broker and how workers take tasks
    messaging     e-mail, SMS, the outbox's retries, marketing's caps and broadcasts
    security      HTTPS, cookies, HSTS, the Content Security Policy and web counters
    api           the REST API and its schema
    store         the shop's own rules: page caching, orders, points, parcels, analytics
    payments      online card payments
    integrations  carriers, marketplace feeds, supplier price lists, webhooks
A module takes what it needs from the others by name (DEBUG, VAR_DIR, REDIS_URL); none sets a
name that another sets.
"""

# isort: off
# The order of the one settings.py these came from, so that the var/ folders are made, and the
# first of several misconfigurations is reported, as before.
from .base import *  # noqa: F403
from .databases import *  # noqa: F403
from .caches import *  # noqa: F403
from .celery import *  # noqa: F403
from .messaging import *  # noqa: F403
from .security import *  # noqa: F403
from .api import *  # noqa: F403
from .store import *  # noqa: F403
from .payments import *  # noqa: F403
from .integrations import *  # noqa: F403
# isort: on
