import pytest


@pytest.fixture(autouse=True)
def _integrations(settings, tmp_path):
    """Feeds and price lists go to a temporary folder; links point at the shop's public address."""
    settings.FEEDS_DIR = tmp_path / "feeds"
    settings.SITE_URL = "https://shop.example.ru"
    settings.FEEDS_TOKEN = ""
    settings.PRICELISTS_DIR = tmp_path / "pricelists"


@pytest.fixture
def eager_tasks():
    """Tasks scheduled after commit run in this process at once."""
    from config.celery import app as celery_app

    before = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(before)


@pytest.fixture
def admin_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def receiver(settings):
    from tests.integrations.receiver import start_receiver

    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()
