"""With DATABASE_REPLICA_URL set, report reads go to the replica and nothing else does."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from analytics.models import ChannelDay
from analytics.reports.reading import FiguresReader
from analytics.routers import ReportsReplicaRouter, reading_reports, replica_reads
from customers.roles import OWNER
from orders.models import Order
from tests.factories import staff_user


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


def test_database_replica_url_adds_the_replica_as_a_mirror_and_its_router():
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1",
           "DATABASE_URL": "postgres://shop@db.internal:5432/vitrina",
           "DATABASE_REPLICA_URL": "postgres://reader@replica-host:5432/vitrina"}
    script = ("import json; from django.conf import settings; replica = settings.DATABASES['replica']; "
              "print(json.dumps([replica['HOST'], replica['TEST'], settings.DATABASE_ROUTERS]))")

    result = subprocess.run(  # noqa: S603 - our own interpreter reading our own settings
        [sys.executable, "-c", script], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True,
        check=True,
    )

    assert json.loads(result.stdout) == [
        "replica-host", {"MIRROR": "default"}, ["analytics.routers.ReportsReplicaRouter"]]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/admin/?preset=7d",
    reverse("admin:analytics_report", args=["funnel"]) + "?preset=7d",
    "/api/v1/analytics/reports/kpi/?preset=7d",
])
def test_the_dashboard_report_pages_and_the_api_read_their_figures_for_the_replica(client, monkeypatch, url):
    """Every figure a report reads is read inside replica_reads(), where the router sends it to
    the replica when there is one."""
    reads = []
    split = FiguresReader._split

    def noting(reader, period):
        reads.append(reading_reports())
        return split(reader, period)

    monkeypatch.setattr(FiguresReader, "_split", noting)
    client.force_login(staff_user(OWNER))

    assert client.get(url).status_code == 200
    assert reads and all(reads)
