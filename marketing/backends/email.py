import smtplib
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


class DjangoEmailBackend:
    """Sends through settings.EMAIL_BACKEND: a file in development, SMTP or anymail in production."""

    def send(self, message) -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or None
        message_id = make_msgid(domain=domain)
        headers = {"Message-ID": message_id}
        if message.unsubscribe_url:
            # RFC 8058: mail clients show "Unsubscribe" and POST to the link with one click.
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=sender(message.sender_name),
            to=[message.recipient],
            headers=headers,
            connection=get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_TIMEOUT_SECONDS),
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            sent = email.send()
        except TimeoutError as error:
            raise ProviderTimeout(f"e-mail server did not answer: {error}") from error
        except smtplib.SMTPServerDisconnected as error:
            # The connection dropped: the server may have queued the message before it went.
            raise ProviderTimeout(f"e-mail server disconnected: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise ProviderError(f"e-mail not accepted: {error}") from error
        except Exception as error:
            # anymail raises its own errors (AnymailAPIError...); a refusal from the API is an error.
            if type(error).__module__.startswith("anymail"):
                raise ProviderError(f"e-mail service refused: {error}") from error
            raise
        if not sent:
            raise ProviderError("e-mail backend reported nothing sent")
        anymail_status = getattr(email, "anymail_status", None)
        return (anymail_status and anymail_status.message_id) or message_id
