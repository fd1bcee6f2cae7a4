"""Starting Celery tasks from the write layer."""

import logging

from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from core.transactions import after_commit

logger = logging.getLogger(__name__)


def delay_on_commit(task, *args) -> None:
    """Start `task` with `args` once the current transaction commits (at once outside one). A
    broker that cannot be reached is logged, not raised: what triggered the task has committed and
    must not turn into an error page; the task's own sweep or the next change makes up for it."""

    def delay() -> None:
        try:
            task.delay(*args)
        except (BrokerError, RedisError, ConnectionError, TimeoutError) as error:
            logger.warning("Broker unreachable; %s%r not started: %s", task.name, args, error)

    after_commit(delay)
