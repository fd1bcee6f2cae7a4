import email as email_package
import json
import threading
import time
import urllib.parse
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from marketing.backends import ProviderError, ProviderRejected, ProviderTimeout
from marketing.backends.email import DjangoEmailBackend
from marketing.backends.sms import FileSmsBackend, SmsRuBackend
from marketing.models import OutboundMessage

PHONE = "+79161234567"


def sms(body: str = "Заказ VT-10001 отправлен") -> OutboundMessage:
    return OutboundMessage(pk=7, channel="sms", kind="order_shipped", recipient=PHONE, body=body)


@pytest.fixture
def fake_sms_ru():
    """A stand-in for sms.ru on 127.0.0.1: answers what `gateway.answer` says, remembers requests."""

    class Gateway:
        answer: tuple[int, bytes] | str = (200, b"{}")
        requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            Gateway.requests.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
            if Gateway.answer == "silence":
                time.sleep(1)
                return
            status, body = Gateway.answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.backend = SmsRuBackend(
        api_id="test-key", sender="Vitrina", url=f"http://127.0.0.1:{server.server_port}/sms/send", timeout=0.3
    )
    yield Gateway
    server.shutdown()
    server.server_close()


def sms_ru_answer(status="OK", status_code=100, **number):
    per_number = {"status": status, "status_code": status_code, **number}
    return json.dumps({"status": "OK", "status_code": 100, "sms": {PHONE[1:]: per_number}, "balance": 100}).encode()


def test_sms_ru_accepts_a_message_and_returns_its_id(fake_sms_ru):
    fake_sms_ru.answer = (200, sms_ru_answer(sms_id="000000-10000001"))

    provider_id = fake_sms_ru.backend.send(sms())

    assert provider_id == "000000-10000001"
    assert fake_sms_ru.requests == [
        {"api_id": "test-key", "to": "79161234567", "msg": "Заказ VT-10001 отправлен", "json": "1", "from": "Vitrina"}
    ]


def test_sms_ru_error_for_the_number_is_a_provider_error(fake_sms_ru):
    fake_sms_ru.answer = (200, sms_ru_answer("ERROR", 220, status_text="Сервис временно недоступен"))

    with pytest.raises(ProviderError, match="220"):
        fake_sms_ru.backend.send(sms())


def test_sms_ru_refusing_the_number_for_good_is_a_rejection(fake_sms_ru):
    fake_sms_ru.answer = (200, sms_ru_answer("ERROR", 207, status_text="На этот номер нельзя отправлять"))

    with pytest.raises(ProviderRejected):
        fake_sms_ru.backend.send(sms())


def test_sms_ru_wrong_key_is_a_provider_error(fake_sms_ru):
    fake_sms_ru.answer = (200, b'{"status": "ERROR", "status_code": 200, "status_text": "Bad api_id"}')

    with pytest.raises(ProviderError, match="Bad api_id"):
        fake_sms_ru.backend.send(sms())


def test_sms_ru_server_error_is_a_provider_error(fake_sms_ru):
    fake_sms_ru.answer = (503, b"busy")

    with pytest.raises(ProviderError, match="503"):
        fake_sms_ru.backend.send(sms())


def test_sms_ru_silence_is_a_timeout(fake_sms_ru):
    fake_sms_ru.answer = "silence"

    with pytest.raises(ProviderTimeout):
        fake_sms_ru.backend.send(sms())


def test_sms_ru_unreadable_answer_is_a_timeout_not_an_error(fake_sms_ru):
    fake_sms_ru.answer = (200, b"<html>maintenance</html>")

    with pytest.raises(ProviderTimeout):
        fake_sms_ru.backend.send(sms())


def test_sms_ru_unreachable_is_a_provider_error():
    backend = SmsRuBackend(api_id="key", sender="", url="http://127.0.0.1:1/sms/send", timeout=0.3)

    with pytest.raises(ProviderError, match="unreachable"):
        backend.send(sms())


def test_file_sms_backend_writes_a_readable_file(tmp_path):
    backend = FileSmsBackend(directory=tmp_path)

    provider_id = backend.send(sms("Заказ VT-10001 ждёт вас"))

    [written] = tmp_path.iterdir()
    text = written.read_text(encoding="utf-8")
    assert f"To: {PHONE}" in text
    assert "Заказ VT-10001 ждёт вас" in text
    assert provider_id in text


def test_email_backend_delivers_through_django_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = OutboundMessage(
        channel="email", kind="order_shipped", recipient="anna@example.com", subject="Заказ отправлен", body="Трек 8008"
    )

    provider_id = DjangoEmailBackend().send(message)

    [email] = mail.outbox
    assert (email.to, email.subject, email.body) == (["anna@example.com"], "Заказ отправлен", "Трек 8008")
    assert email.extra_headers["Message-ID"] == provider_id


def test_an_html_e_mail_arrives_as_its_text_and_html_parts_each_with_a_boundary_of_its_own(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    html = "<p>--=_ не граница</p>\n<p>Скидка 10% до пятницы</p>"
    for recipient in ("anna@example.com", "boris@example.com"):
        DjangoEmailBackend().send(OutboundMessage(channel="email", kind="abandoned_cart", recipient=recipient,
                                                  subject="Корзина ждёт", body="Текст письма", html_body=html))

    parsed = [email_package.message_from_bytes(email.message().as_bytes(), policy=email_policy.default)
              for email in mail.outbox]

    for message in parsed:
        assert message.get_body(("plain",)).get_content().strip() == "Текст письма"
        assert message.get_body(("html",)).get_content().strip() == html
    assert parsed[0].get_boundary() != parsed[1].get_boundary()


def test_email_server_refusing_is_a_provider_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    message = OutboundMessage(channel="email", kind="order_shipped", recipient="a@example.com", subject="S", body="B")

    with pytest.raises(ProviderError):
        DjangoEmailBackend().send(message)
