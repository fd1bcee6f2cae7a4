"""What the fault scenarios share: a Redis server of their own (never the shared one on 6379),
a fresh database, a Celery worker, the shop's code in this process, and the outbox's figures."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def parser(description: str, *, redis_port: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_faults",
                        help="dropped and created afresh")
    parser.add_argument("--redis-port", type=int, default=redis_port,
                        help="the scenario starts (and stops) its own redis-server on this port")
    parser.add_argument("--orders", type=int, default=30)
    return parser


def environment(args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    """The shop's environment for the scenario, set in this process too (it places the orders)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "faults-only-secret-key-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
        "SMS_BACKEND": "bench.faults.provider.RecordingSmsBackend",
        "EMAIL_BACKEND": "bench.faults.provider.RecordingEmailBackend",
        "SMS_QUIET_HOURS_START": "00:00",
        "SMS_QUIET_HOURS_END": "00:00",
        "FAULTS_RECEIPTS": str(var_dir / "receipts.txt"),
    }
    os.environ.update(env)
    return {**os.environ, **env}


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="vitrina-faults-"))


class OwnRedis:
    """redis-server on a port of the scenario's own, with nothing saved to disk."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True, check=False).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        sys.exit(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # as a crash would: no goodbye to the clients
            self.process.wait()

    def __enter__(self) -> "OwnRedis":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Worker:
    """A Celery worker (prefork pool) for the shop, in its own process group."""

    def __init__(self, env: dict[str, str], *, concurrency: int, log: Path):
        self.env, self.concurrency, self.log = env, concurrency, log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Worker":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
                 "--concurrency", str(self.concurrency), "--loglevel", "WARNING", "--without-heartbeat",
                 "--without-gossip", "--without-mingle", "-n", f"faults-{uuid.uuid4().hex[:8]}@%h"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def pool_processes(self) -> list[int]:
        """The pool's child processes, which run the tasks (the main process only hands them out)."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def fresh_database(env: dict[str, str], database_url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(database_url)
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
              "password": db["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def shop_with_one_product():
    """A product with plenty of stock and a courier delivery: what the orders are made of."""
    from decimal import Decimal

    from catalog.models import Category, Product
    from orders.models import DeliveryMethod

    category = Category.objects.create(name="Чайники", slug="chayniki")
    product = Product.objects.create(category=category, name="Чайник", slug="chaynik", sku="KETTLE-1",
                                     price=Decimal("1500.00"), stock=100_000, is_active=True)
    courier = DeliveryMethod.objects.create(kind="courier", name="Курьер", price=Decimal("300.00"), is_active=True)
    return product, courier


def outbox_figures(receipts_path: str) -> dict:
    """Each outbox row against what the provider received: sent once, lost, received twice."""
    from bench.faults.provider import receipt_line, receipts_by_line
    from marketing.models import DeliveryAttempt, OutboundMessage
    from marketing.services import WORKER_STOPPED_DURING_CALL

    received = receipts_by_line(receipts_path)
    figures = {"messages": 0, "sent_once": 0, "lost": 0, "received_twice_or_more": 0,
               "may_have_been_sent_twice": 0, "duplicates_not_flagged": 0, "statuses": {}}
    for message in OutboundMessage.objects.all():
        text = message.subject if message.channel == "email" else message.body
        count = received.get(receipt_line(message.channel, message.recipient, text), 0)
        flagged = message.attempts_made.filter(
            result=DeliveryAttempt.Result.TIMEOUT, detail=WORKER_STOPPED_DURING_CALL).exists()
        figures["messages"] += 1
        figures["statuses"][message.status] = figures["statuses"].get(message.status, 0) + 1
        figures["sent_once"] += count == 1
        figures["lost"] += count == 0
        figures["received_twice_or_more"] += count >= 2
        figures["may_have_been_sent_twice"] += flagged
        figures["duplicates_not_flagged"] += count >= 2 and not flagged
    return figures


def write_results(name: str, figures: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"written {path.relative_to(ROOT)}")


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
