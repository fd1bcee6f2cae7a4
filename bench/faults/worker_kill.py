"""Fault scenario: the worker's pool processes are SIGKILLed while they send order messages.

    .venv/bin/python bench/faults/worker_kill.py [--orders 30] [--kills 44]

Starts its own redis-server (port 6391 by default, never the shared 6379), a fresh PostgreSQL
database and a Celery worker (prefork, 4 processes) whose SMS gateway and mail server are
pretend ones that write each message they receive to a file. It places the orders (an e-mail
and an SMS each), and while the worker sends them kills a random pool process every 0.2 s. Then
it stops the worker and starts a new one, as the next deploy or restart would, and runs the
outbox sweep: with no worker left from before, every row still "sending" is a dead worker's, so
the sweep's MESSAGE_SENDING_STUCK_MINUTES wait is not needed and is set to 0 here.

It prints, and writes to bench/results/faults_worker_kill.json: messages, sent once, lost (never
received), received twice or more, rows flagged "may have been sent twice" (a call had started
when its worker died), and duplicates that no flag foretold (the target is 0). Exit status 1
when a message is lost or a duplicate was not flagged.
"""

import os
import random
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.faults.common import (  # noqa: E402
    OwnRedis,
    Worker,
    cleanup,
    django_setup,
    environment,
    fresh_database,
    outbox_figures,
    parser,
    scratch,
    shop_with_one_product,
    write_results,
)


def place_orders(count: int) -> None:
    from orders.models import Cart
    from orders.services import Contact, Delivery, cart_add, order_place

    product, courier = shop_with_one_product()
    for number in range(count):
        cart = Cart.objects.create(session_key=f"faults-{uuid.uuid4().hex}")
        cart_add(cart=cart, product=product, variant=None, quantity=1)
        order_place(cart=cart, contact=Contact(name="Анна", phone=f"+7916{1000000 + number}",
                                               email=f"customer{number}@example.com"),
                    delivery=Delivery(method=courier, address="Москва, ул. Тверская, 1"),
                    payment="cash_on_delivery", idempotency_key=uuid.uuid4().hex)


def sending_started(*, timeout: float) -> None:
    from marketing.models import OutboundMessage

    deadline = time.monotonic() + timeout
    while not OutboundMessage.objects.exclude(status="pending").exists():
        if time.monotonic() > deadline:
            sys.exit("the worker sent nothing within a minute; see its log")
        time.sleep(0.05)


def settled() -> bool:
    from marketing.models import OutboundMessage

    return not OutboundMessage.objects.filter(status__in=["pending", "sending"]).exists()


def kill_pool_processes(worker: Worker, *, kills: int, every: float, stop: threading.Event) -> list[int]:
    killed: list[int] = []
    rng = random.Random(12)  # noqa: S311 - a scenario, not a secret
    while len(killed) < kills and not stop.is_set():
        time.sleep(every)
        children = worker.pool_processes()
        if children:
            victim = rng.choice(children)
            try:
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            except ProcessLookupError:
                pass
    return killed


def main() -> int:
    options = parser("Kill the worker's pool processes while it sends order messages.", redis_port=6391)
    options.add_argument("--kills", type=int, default=44)
    args = options.parse_args()
    kills_wanted = args.kills
    var_dir = scratch()
    env = environment(args, var_dir)
    started = time.monotonic()
    try:
        with OwnRedis(args.redis_port):
            fresh_database(env, args.database_url)
            django_setup()
            from django.conf import settings

            from marketing.services import messages_sweep

            with Worker(env, concurrency=4, log=var_dir / "worker.log") as worker:
                place_orders(args.orders)
                sending_started(timeout=60)  # killing a pool before it has started kills the worker
                stop = threading.Event()
                killed: list[int] = []
                killer = threading.Thread(target=lambda: killed.extend(
                    kill_pool_processes(worker, kills=kills_wanted, every=0.2, stop=stop)))
                killer.start()
                deadline = time.monotonic() + 60
                while killer.is_alive() and time.monotonic() < deadline and not settled():
                    time.sleep(0.5)
                stop.set()
                killer.join()
                time.sleep(2)
            before_recovery = outbox_figures(env["FAULTS_RECEIPTS"])

            # The restart: the sweep settles what the killed processes left (with no worker left
            # from before, every row still "sending" is a dead worker's), then a new worker sends,
            # swept as in production: its own rows in "sending" are alive, not stuck.
            waited = settings.MESSAGE_SENDING_STUCK_MINUTES
            settings.MESSAGE_SENDING_STUCK_MINUTES = 0
            messages_sweep()
            settings.MESSAGE_SENDING_STUCK_MINUTES = waited
            with Worker(env, concurrency=2, log=var_dir / "worker.log"):
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    messages_sweep()
                    time.sleep(2)
                    if settled():
                        break
                time.sleep(1)
            figures = outbox_figures(env["FAULTS_RECEIPTS"])
    finally:
        cleanup(var_dir)
    figures.update(orders=args.orders, pool_processes_killed=len(killed),
                   before_recovery=before_recovery, seconds=round(time.monotonic() - started, 1))
    print(f"{args.orders} orders, {figures['messages']} messages, {len(killed)} pool processes SIGKILLed")
    print(f"before the restart: {before_recovery['statuses']}, {before_recovery['lost']} not received yet")
    print(f"after the sweep:    {figures['statuses']}")
    print(f"sent once {figures['sent_once']}, lost {figures['lost']}, "
          f"received twice or more {figures['received_twice_or_more']}")
    print(f"may have been sent twice (a call had started when its worker died): "
          f"{figures['may_have_been_sent_twice']}; duplicates no flag foretold: {figures['duplicates_not_flagged']}")
    write_results("faults_worker_kill", figures)
    return 1 if figures["lost"] or figures["duplicates_not_flagged"] else 0


if __name__ == "__main__":
    sys.exit(main())
