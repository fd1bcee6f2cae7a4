"""What tests of races and outages share: real threads released together, and a broker that
cannot be reached."""

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
def broker_unreachable():
    """Celery pointed at a port where nothing listens, with fresh connection pools."""
    before = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    pools = celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool = celery_app.amqp._producer_pool = None
    celery_app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    try:
        yield
    finally:
        celery_app._pool, celery_app.amqp._producer_pool = pools
        celery_app.conf.update(before)
