"""End-to-end tests: a real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright
against pytest-django's live server. Playwright cannot download its own browsers here."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from config.celery import app as celery_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def _missing_browser() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser():
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"End-to-end tests need a browser in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous calls.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(autouse=True)
def _messages_stay_in_the_process(settings, tmp_path):
    """Order messages are sent in this process (no broker), e-mail to memory, SMS to tmp."""
    before = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "marketing.backends.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    yield
    celery_app.conf.update(before)


@pytest.fixture
def signed_in_page(browser, live_server):
    """A browser tab of its own (own cookies) with `user` signed in to the admin."""
    contexts = []

    def _signed_in_page(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(locale="en-US", base_url=live_server.url)
        context.add_cookies([{
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _signed_in_page
    for context in contexts:
        context.close()


SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(django_settings.BASE_DIR) / "var" / "screenshots"))
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture(params=list(WIDTHS))
def shopper_page(request, browser, live_server, settings):
    """A shopper's tab (own cookies) on a phone and on a desktop screen, in a shop that speaks Russian
    as shipped: its addresses without a language prefix are Russian pages."""
    settings.LANGUAGE_CODE = "ru"
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, viewport=WIDTHS[request.param])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.screen = request.param
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save what the shopper sees as var/screenshots/<name>-<phone|desktop>.png (E2E_SCREENSHOTS overrides)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.screen}.png"
    page.evaluate("window.scrollTo(0, 0)")  # a sticky header stays on top of a full-page shot
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def message_templates(db):
    """The shop's default message texts, which migrations write: a browser test's database is
    emptied between tests (post_migrate then runs, data migrations do not), so the tests that read
    sent messages put them back the way the migrations do."""
    from importlib import import_module

    from django.apps import apps

    for migration, step in (("0002_default_templates", "seed"), ("0004_shipped_text_without_tracking", "update"),
                            ("0005_refund_message", "seed")):
        getattr(import_module(f"marketing.migrations.{migration}"), step)(apps, None)
