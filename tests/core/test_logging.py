"""What `make run` prints: each line once, and an expected refusal as one line, not a traceback."""

import io
import logging

import pytest
from django.urls import reverse

from customers.roles import WAREHOUSE
from tests.factories import staff_user


@pytest.fixture
def terminal(settings):
    """What the console handlers of settings.LOGGING print, as runserver's terminal shows it."""
    settings.DEBUG = True  # as under `make run`: Django's development-only handlers speak too
    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    consoles = {handler for logger in loggers for handler in logger.handlers if type(handler) is logging.StreamHandler}
    output = io.StringIO()
    before = {handler: handler.setStream(output) for handler in consoles}
    yield output
    for handler, stream in before.items():
        handler.setStream(stream)


def test_watching_for_file_changes_is_printed_once(terminal):
    logging.getLogger("django.utils.autoreload").info("Watching for file changes with %s", "StatReloader")

    assert terminal.getvalue() == "Watching for file changes with StatReloader\n"


@pytest.mark.django_db
def test_a_refused_admin_page_is_logged_as_one_line(client, terminal):
    client.force_login(staff_user(WAREHOUSE))

    response = client.get(reverse("admin:customers_visit_changelist"))

    assert response.status_code == 403
    assert terminal.getvalue() == "Forbidden (Permission denied): /admin/customers/visit/\n"
