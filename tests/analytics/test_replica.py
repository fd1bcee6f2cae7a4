"""With DATABASE_REPLICA_URL set, report reads go to the replica and nothing else does."""

from django.conf import settings as django_settings

from analytics.models import ChannelDay
from analytics.routers import ReportsReplicaRouter, replica_reads
from orders.models import Order


def test_reads_inside_a_report_go_to_the_replica_when_there_is_one(monkeypatch):
    monkeypatch.setitem(django_settings.DATABASES, "replica", django_settings.DATABASES["default"])
    router = ReportsReplicaRouter()

    with replica_reads():
        assert router.db_for_read(ChannelDay) == "replica"
        assert router.db_for_read(Order) == "replica"
        assert router.db_for_write(ChannelDay) is None
    assert router.db_for_read(Order) is None  # the shop's own reads stay on the primary


def test_without_a_replica_reports_read_the_primary():
    with replica_reads():
        assert ReportsReplicaRouter().db_for_read(ChannelDay) is None


def test_the_replica_is_never_migrated():
    assert ReportsReplicaRouter().allow_migrate("replica", "analytics") is False
    assert ReportsReplicaRouter().allow_migrate("default", "analytics") is True
