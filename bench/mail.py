"""An e-mail backend for benchmarks: everything Django's SMTP backend does with a message short
of the network (the MIME message and its bytes, the addresses checked), then nothing."""

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address


class SerializingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for email in email_messages:
            encoding = email.encoding or "utf-8"
            sanitize_address(email.from_email, encoding)
            for recipient in email.recipients():
                sanitize_address(recipient, encoding)
            email.message().as_bytes(linesep="\r\n")
        return len(email_messages)
