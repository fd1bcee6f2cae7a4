"""Settings come from the environment: each case imports config.settings in a fresh Python
with exactly the variables it names, as a server or a developer's shell would."""

import json
import os
import subprocess
import sys
from functools import cache

from django.conf import settings

PRINT_SETTINGS = """
import json
from django.conf import settings as s
from django.core.mail import get_connection

try:
    get_connection()
    mail_error = ""
except Exception as error:
    mail_error = repr(error)
print(json.dumps({
    "database_engine": s.DATABASES["default"]["ENGINE"],
    "database_name": str(s.DATABASES["default"]["NAME"]),
    "database_host": s.DATABASES["default"].get("HOST", ""),
    "cache": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION", ""),
    "broker": s.CELERY_BROKER_URL,
    "time_zone": s.TIME_ZONE,
    "language": s.LANGUAGE_CODE,
    "email_backend": s.EMAIL_BACKEND,
    "email_file_path": str(getattr(s, "EMAIL_FILE_PATH", "")),
    "email_host": s.EMAIL_HOST,
    "email_port": s.EMAIL_PORT,
    "mail_error": mail_error,
    "product_views_buffered": s.PRODUCT_VIEWS_BUFFERED,
}))
"""
PRODUCTION = (
    ("DEBUG", "0"),
    ("SECRET_KEY", "a-long-random-production-key-for-this-test-only"),
    ("DATABASE_URL", "postgres://shop:secret@db.internal:5432/vitrina"),
    ("REDIS_URL", "redis://cache.internal:6379/2"),
    ("EMAIL_HOST", "smtp.example.ru"),
)


@cache
def run_settings(env: tuple[tuple[str, str], ...]) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", **dict(env)}
    return subprocess.run(  # noqa: S603 - our own interpreter running our own script
        [sys.executable, "-c", PRINT_SETTINGS], cwd=settings.BASE_DIR, env=clean,
        capture_output=True, text=True, timeout=60, check=False,
    )


def settings_under(*env: tuple[str, str]) -> dict:
    result = run_settings(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def error_under(*env: tuple[str, str]) -> str:
    result = run_settings(env)
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_without_database_url_the_store_uses_sqlite_under_var():
    values = settings_under(("DEBUG", "1"))

    assert values["database_engine"] == "django.db.backends.sqlite3"
    assert values["database_name"] == str(settings.BASE_DIR / "var" / "db.sqlite3")


def test_database_url_selects_postgresql():
    values = settings_under(*PRODUCTION)

    assert values["database_engine"] == "django.db.backends.postgresql"
    assert (values["database_host"], values["database_name"]) == ("db.internal", "vitrina")


def test_without_redis_url_the_cache_is_in_memory_and_the_broker_on_disk():
    values = settings_under(("DEBUG", "1"))

    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["broker"] == "filesystem://"


def test_redis_url_selects_redis_for_cache_and_broker():
    values = settings_under(*PRODUCTION)

    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["cache_location"] == values["broker"] == "redis://cache.internal:6379/2"


def test_product_views_are_buffered_when_redis_is_configured():
    assert settings_under(*PRODUCTION)["product_views_buffered"] is True


def test_without_redis_product_views_are_written_directly():
    assert settings_under(("DEBUG", "1"))["product_views_buffered"] is False


def test_buffering_product_views_without_redis_refuses_to_start_and_says_why():
    error = error_under(("DEBUG", "1"), ("PRODUCT_VIEWS_BUFFERED", "1"))

    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "PRODUCT_VIEWS_BUFFERED" in error and "REDIS_URL" in error


def test_production_without_secret_key_refuses_to_start_and_says_why():
    error = error_under(("DEBUG", "0"))

    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "SECRET_KEY" in error


def test_a_boolean_that_is_not_one_refuses_to_start_and_says_which():
    error = error_under(("DEBUG", "maybe"))

    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "DEBUG" in error and "'maybe'" in error


def test_the_store_speaks_russian_on_moscow_time_by_default():
    values = settings_under(("DEBUG", "1"))

    assert (values["language"], values["time_zone"]) == ("ru", "Europe/Moscow")


def test_time_zone_and_language_can_be_changed():
    values = settings_under(("DEBUG", "1"), ("TIME_ZONE", "Asia/Yekaterinburg"), ("LANGUAGE_CODE", "en"))

    assert (values["language"], values["time_zone"]) == ("en", "Asia/Yekaterinburg")


def test_without_an_smtp_host_mail_is_written_to_files_under_var():
    values = settings_under(("DEBUG", "1"))

    assert values["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["email_file_path"] == str(settings.BASE_DIR / "var" / "mail")


def test_an_smtp_host_sends_mail_over_smtp():
    values = settings_under(*PRODUCTION)

    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"]) == ("smtp.example.ru", 587)
    assert values["mail_error"] == ""


def test_smtp_over_ssl_needs_only_email_use_ssl():
    values = settings_under(*PRODUCTION, ("EMAIL_USE_SSL", "1"))

    assert values["mail_error"] == ""
    assert values["email_port"] == 465

