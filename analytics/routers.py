"""Reports read from a PostgreSQL read replica when DATABASE_REPLICA_URL is set, so an owner
scrolling a year of figures never slows a checkout. Only reads made inside `replica_reads()`
(the report pages, the dashboard and the reports API) go there; every write, and every read the
shop itself makes, stays on the primary."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_reports: ContextVar[bool] = ContextVar("analytics_reading_reports", default=False)


@contextmanager
def replica_reads():
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reading_reports() -> bool:
    """Whether the code running now reads for a report (inside `replica_reads()`)."""
    return _reading_reports.get()


class ReportsReplicaRouter:
    def db_for_read(self, model, **hints):
        if reading_reports() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # a replica follows the primary's schema by replication
