"""Channels are pluggable: e-mail through Django's e-mail backends, SMS through `SMS_BACKEND`.

A backend's `send(message)` hands one OutboundMessage to the provider and returns the
provider's id for it; a backend may offer `session()`, a context in which many sends share one
connection (`backend_session` opens it when there is one). `send` raises:
- ProviderError when the provider certainly did not take the message (refused, unreachable):
  the message may be tried again later; ProviderRejected when trying again cannot help.
- ProviderTimeout when the provider may or may not have taken it (no answer in time, an answer
  we cannot read): the message is marked unknown and never resent blindly.
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.utils.module_loading import import_string


class ProviderError(Exception):
    """The provider did not take the message; another attempt later may succeed."""


class ProviderRejected(ProviderError):
    """The provider refused the message for good (a number that cannot receive SMS...)."""


class ProviderTimeout(Exception):
    """No clear answer: the provider may have taken the message. Never resent automatically."""


def backend_for(channel: str):
    from marketing.kinds import Channel

    if channel == Channel.EMAIL:
        from marketing.backends.email import DjangoEmailBackend

        return DjangoEmailBackend()
    if channel == Channel.SMS:
        return import_string(settings.SMS_BACKEND)()
    raise ValueError(f"No backend for channel {channel!r}.")


@contextmanager
def backend_session(channel: str) -> Iterator:
    """The channel's backend, within its session if it has one: a batch's messages share a connection."""
    backend = backend_for(channel)
    session = getattr(backend, "session", None)
    with session() if session is not None else nullcontext():
        yield backend
