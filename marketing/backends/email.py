import secrets
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from marketing.backends import ProviderError, ProviderTimeout

# Django's SMTP backend waits forever by default; a send must end well before the sweep
# declares a "sending" row stuck.
DEFAULT_TIMEOUT_SECONDS = 30


def sender(name: str) -> str:
    """The shop's From address, under `name` when the message has its own (an A/B variant)."""
    if not name:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _connection():
    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_TIMEOUT_SECONDS)


def _close(connection) -> None:
    # A connection that broke cannot always say goodbye; it is dropped either way.
    with suppress(smtplib.SMTPException, OSError):
        connection.close()


class ShopEmail(EmailMultiAlternatives):
    """Django's e-mail, with the boundary between its text and HTML parts drawn here: left to
    the e-mail package, each message compiles a regular expression of its own random boundary
    to search the parts for it, which cost a campaign batch a tenth of its sending time. A
    "=_" boundary with 96 random bits cannot clash (RFC 2045: "=_" never occurs in
    quoted-printable, and the bits make it unique)."""

    def message(self):
        message = super().message()
        if message.is_multipart():
            message.set_boundary(f"=_{secrets.token_hex(12)}")
        return message


class DjangoEmailBackend:
    """Sends through settings.EMAIL_BACKEND: a file in development, SMTP or anymail in production.

    Within `session()` every message goes over one connection to the e-mail server (opened at
    the first message, opened again after a failure, closed at the end): a batch of hundreds
    costs one SMTP handshake, not hundreds. Outside a session each message has its own."""

    def __init__(self):
        self._session = None

    @contextmanager
    def session(self) -> Iterator["DjangoEmailBackend"]:
        self._session = _connection()
        try:
            yield self
        finally:
            connection, self._session = self._session, None
            _close(connection)

    def send(self, message) -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or None
        message_id = make_msgid(domain=domain)
        headers = {"Message-ID": message_id}
        if message.unsubscribe_url:
            # RFC 8058: mail clients show "Unsubscribe" and POST to the link with one click.
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = ShopEmail(
            subject=message.subject,
            body=message.body,
            from_email=sender(message.sender_name),
            to=[message.recipient],
            headers=headers,
            connection=self._session or _connection(),
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            if self._session is not None:
                self._session.open()  # nothing when it is open already; the send then keeps it open
            sent = email.send()
        except Exception as error:
            if self._session is not None:
                _close(self._session)  # the next message starts on a fresh connection
            meaning = _provider_error(error)
            if meaning is None:
                raise
            raise meaning from error
        if not sent:
            raise ProviderError("e-mail backend reported nothing sent")
        anymail_status = getattr(email, "anymail_status", None)
        return (anymail_status and anymail_status.message_id) or message_id


def _provider_error(error: Exception) -> Exception | None:
    """What a failed send means for the message (see marketing.backends); None: not the
    provider's answer but a fault on our side."""
    if isinstance(error, TimeoutError):
        return ProviderTimeout(f"e-mail server did not answer: {error}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # The connection dropped: the server may have queued the message before it went.
        return ProviderTimeout(f"e-mail server disconnected: {error}")
    if isinstance(error, smtplib.SMTPException | OSError):
        return ProviderError(f"e-mail not accepted: {error}")
    # anymail raises its own errors (AnymailAPIError...); a refusal from the API is an error.
    if type(error).__module__.startswith("anymail"):
        return ProviderError(f"e-mail service refused: {error}")
    return None
