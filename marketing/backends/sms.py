import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from marketing.backends import ProviderError, ProviderRejected, ProviderTimeout

logger = logging.getLogger(__name__)


class FileSmsBackend:
    """Development: each SMS becomes a small text file in var/sms/, one per message."""

    def __init__(self, *, directory: Path | None = None):
        self.directory = Path(directory or getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms"))

    def send(self, message) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        sms_id = f"file-{uuid.uuid4().hex[:12]}"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        path = self.directory / f"{stamp}-{message.pk or 0}-{sms_id}.txt"
        path.write_text(
            f"To: {message.recipient}\nFrom: {settings.SMS_SENDER or settings.STORE_NAME}\n"
            f"Kind: {message.kind}\nId: {sms_id}\n\n{message.body}\n",
            encoding="utf-8",
        )
        return sms_id


class ConsoleSmsBackend:
    """Development: the SMS is written to the log."""

    def send(self, message) -> str:
        logger.info("SMS to %s: %s", message.recipient, message.body)
        return f"console-{uuid.uuid4().hex[:12]}"


class SmsRuBackend:
    """SMS.ru HTTP gateway (https://sms.ru/api/send), answering in JSON.

    The message goes in a POST body, so neither the text nor the API key lands in access logs.
    """

    API_URL = "https://sms.ru/sms/send"
    # Codes after which trying again cannot help: a bad number, no route to it, the stop list.
    PERMANENT_CODES = frozenset({202, 207, 209})

    def __init__(self, *, api_id: str | None = None, sender: str | None = None, url: str | None = None,
                 timeout: float = 10):
        self.api_id = api_id if api_id is not None else settings.SMS_RU_API_ID
        self.sender = sender if sender is not None else settings.SMS_SENDER
        self.url = url or self.API_URL
        self.timeout = timeout

    def send(self, message) -> str:
        if not self.api_id:
            raise ProviderError("SMS_RU_API_ID is not set")
        phone = message.recipient.lstrip("+")
        fields = {"api_id": self.api_id, "to": phone, "msg": message.body, "json": "1"}
        if self.sender:
            fields["from"] = self.sender
        request = urllib.request.Request(  # noqa: S310 - the URL is ours (https in production)
            self.url, data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 504:
                raise ProviderTimeout("SMS.ru gateway timeout (HTTP 504)") from error
            raise ProviderError(f"SMS.ru answered HTTP {error.code}") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise ProviderTimeout(f"SMS.ru did not answer in {self.timeout}s") from error
            raise ProviderError(f"SMS.ru unreachable: {error.reason}") from error
        except TimeoutError as error:
            raise ProviderTimeout(f"SMS.ru did not answer in {self.timeout}s") from error
        except OSError as error:
            # The connection broke after the request went out: it may have been taken.
            raise ProviderTimeout(f"SMS.ru connection broken: {error}") from error
        return self._parse(raw, phone)

    def _parse(self, raw: bytes, phone: str) -> str:
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ProviderTimeout(f"SMS.ru answer unreadable: {raw[:200]!r}") from None
        if answer.get("status") != "OK":
            self._refuse(answer)
        per_number = (answer.get("sms") or {}).get(phone)
        if not per_number:
            raise ProviderTimeout(f"SMS.ru answer has no result for {phone}: {raw[:200]!r}")
        if per_number.get("status") != "OK":
            self._refuse(per_number)
        return str(per_number.get("sms_id", ""))

    def _refuse(self, answer: dict):
        code = answer.get("status_code")
        text = f"SMS.ru error {code}: {answer.get('status_text', '')}".strip()
        if code in self.PERMANENT_CODES:
            raise ProviderRejected(text)
        raise ProviderError(text)
