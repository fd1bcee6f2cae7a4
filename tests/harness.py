"""What tests of races and outages share: real threads released together, and a broker that
cannot be reached or does not answer."""

import socket
import threading
from contextlib import contextmanager

from django.db import connection

from config.celery import app as celery_app


def in_parallel(count: int, work) -> list:
    """Run work(i) for i in range(count) in as many threads, released together by a barrier, each
    on its own database connection; return what each returned or raised, in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


@contextmanager
def broken_server(*, hang_up: bool):
    """A TCP port that takes connections and never answers: it keeps each one open, as a Redis
    that hangs does, or (hang_up) closes it at once, as one that is going away does. Yields the
    port and the list of connections it took."""
    listener = socket.create_server(("127.0.0.1", 0))
    taken = []

    def accept():
        while True:
            try:
                taken.append(listener.accept()[0])
            except OSError:  # closed: the test is over
                return
            if hang_up:
                taken[-1].close()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1], taken
    finally:
        listener.close()
        for connection_ in taken:
            connection_.close()


@contextmanager
def broker_unreachable(url: str = "redis://127.0.0.1:1/0"):
    """Celery pointed at `url` (by default a port where nothing listens), with fresh connection pools."""
    before = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    pools = celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool = celery_app.amqp._producer_pool = None
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        celery_app._pool, celery_app.amqp._producer_pool = pools
        celery_app.conf.update(before)
