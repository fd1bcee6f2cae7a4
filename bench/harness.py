"""What the benches share: the shop's environment for a bench run, its PostgreSQL database,
manage.py, and gunicorn serving it with the bench URLconf (bench/urls.py: the shop plus the
"ok" ceiling view)."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_environment(args: argparse.Namespace, *, cache_prefix: str = "vitrina-bench") -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": cache_prefix,
        "DB_CONN_MAX_AGE": "600",
        "VAR_DIR": args.var_dir,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    return env


def ensure_database(database_url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(database_url)
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
              "password": db["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            print(f"Creating database {db['NAME']}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], env=env, cwd=ROOT, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the shop with the bench URLconf; `settings` are extra environment
    variables for this instance (the storefront bench's cache modes)."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], *, settings: dict[str, str] | None = None,
                 log_name: str = "gunicorn.log"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(args.var_dir) / log_name
        self.command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--workers", str(args.workers), "--bind", f"127.0.0.1:{self.port}",
            "--error-logfile", str(self.log), "--log-level", "warning",
        ]
        self.env = {**env, **(settings or {})}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, start_new_session=True)
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/bench/ok/", timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:  # not listening yet, or still loading the app
                time.sleep(0.2)
        sys.exit(f"gunicorn did not answer within 30 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def vacuum_analyze() -> None:
    """What autovacuum keeps up in a live shop: planner statistics, and the visibility map that
    lets the listing's covering index answer without reading the table. A freshly seeded database
    has neither, nor does one on a server running with autovacuum off (as this machine's does)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
