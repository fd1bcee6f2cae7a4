"""Work that follows a commit."""

from django.db import transaction


def after_commit(func) -> None:
    """Run `func` once the current transaction commits (at once outside one).

    What runs here is a consequence of a change already committed: a cache dropped, a task
    handed to the broker, a page renewed. If it fails (Redis or the broker down, a bug), Django
    logs the error with its traceback and goes on with the next step; the request that made the
    change (a checkout, a status change) has succeeded and must not be answered with an error,
    and whatever was skipped is made up by its own sweep or the next change. Every after-commit
    step in the shop goes through this function (ruff bans a bare `transaction.on_commit`)."""
    transaction.on_commit(func, robust=True)  # noqa: TID251 - the one sanctioned call
