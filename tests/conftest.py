import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.dispatch import receiver
from django.test.signals import setting_changed
from django.urls import clear_url_caches

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@receiver(setting_changed)
def _addresses_follow_the_shops_language(*, setting, **kwargs):
    # Which language goes without an address prefix is the shop's language (config/urls.py); the URL
    # resolver remembers its addresses per language, so a test that changes it starts afresh.
    if setting == "LANGUAGE_CODE":
        clear_url_caches()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Deliberately slow hashing protects real passwords; tests only need it to be correct.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _skip_postgres_only(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite has no row locks or full-text search")


@pytest.fixture(autouse=True)
def _skip_redis_only(request):
    if request.node.get_closest_marker("redis") and not django_settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL): product views are buffered in a Redis list")


@pytest.fixture(autouse=True)
def _product_views_written_directly(settings):
    # A product view is a row as soon as the request ends, in every environment; tests of the
    # Redis buffer turn PRODUCT_VIEWS_BUFFERED on themselves.
    settings.PRODUCT_VIEWS_BUFFERED = False


@pytest.fixture
def tasks_run_here():
    """Celery tasks run in this process when they are started (after commit, for most)."""
    before = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(before)
