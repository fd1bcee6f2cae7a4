"""The development server (`make run`) starts a thread for every browser connection; each idle
keep-alive connection must not keep a PostgreSQL connection open, or a hundred open tabs
exhaust the server's connections for everyone. gunicorn keeps them (gunicorn.conf.py)."""

import http.client
import os
import runpy
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

CLIENTS = 200
# Browsers connecting at the same moment. The development server (socketserver) keeps at most 10
# connections waiting to be accepted, and its accepting thread waits its turn for the GIL behind
# every request thread: 200 connecting at once overflowed the queue, the kernel dropped their SYNs
# and each client retried after 1, 3, 7, 15, 31 s, so on a busy machine some gave up after their
# 60 s. Eight at a time never overflow it; the 200 connections still end up open together.
AT_ONCE = 8


def _keep_alive_client(host: str, port: int, opened: list, lock: threading.Lock) -> int:
    client = http.client.HTTPConnection(host, port, timeout=60)
    client.request("GET", "/api/v1/delivery-methods/")
    response = client.getresponse()
    response.read()
    with lock:
        opened.append(client)  # left open: the browser keeps the connection alive
    return response.status


def _connections_to_the_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_two_hundred_keep_alive_clients_of_the_development_server_leave_no_connections_open(live_server):
    url = urlsplit(live_server.url)
    opened, lock = [], threading.Lock()
    before = _connections_to_the_database()  # this test's own, and any an earlier test left behind
    try:
        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            answers = [pool.submit(_keep_alive_client, url.hostname, url.port, opened, lock) for _ in range(CLIENTS)]
        statuses = [answer.result() for answer in answers]
        # The live server runs in this process, a thread for each open connection: all 200 at once.
        serving = threading.active_count()
        added = _connections_to_the_database() - before
        deadline = time.monotonic() + 10
        while added > 3 and time.monotonic() < deadline:  # the last requests still finishing
            time.sleep(0.1)
            added = _connections_to_the_database() - before
    finally:
        for client in opened:
            client.close()

    assert statuses == [200] * CLIENTS
    assert serving > CLIENTS
    assert added <= 3


def test_without_a_setting_a_connection_lasts_one_request():
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1",
           "DATABASE_URL": "postgres://shop@db.internal:5432/vitrina"}
    script = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"

    result = subprocess.run(  # noqa: S603 - our own interpreter reading our own settings
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )

    assert result.stdout.strip() == "0"


def test_gunicorn_keeps_its_connections(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "")
    monkeypatch.delenv("DB_CONN_MAX_AGE")

    runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))

    assert int(os.environ["DB_CONN_MAX_AGE"]) >= 60
