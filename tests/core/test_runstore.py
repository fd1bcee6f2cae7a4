"""`make run` (manage.py runstore) starts the web server, a worker and beat; the web server
listens only on this machine unless HOST says otherwise: the demo accounts' password is public."""

import signal

import pytest
from django.core.management import call_command

from core.management.commands import runstore


class StartedProcess:
    """Stands in for the operating system's process: records its command and exits at once."""

    started: list[list[str]] = []

    def __init__(self, command, **kwargs):
        type(self).started.append(command)

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def web_command(monkeypatch):
    monkeypatch.setattr(runstore.subprocess, "Popen", StartedProcess)
    StartedProcess.started = []
    sigterm = signal.getsignal(signal.SIGTERM)

    def _web_command(*arguments) -> list[str]:
        call_command("runstore", *arguments)
        [web] = [command for command in StartedProcess.started if "runserver" in command]
        return web

    yield _web_command
    signal.signal(signal.SIGTERM, sigterm)


def test_store_listens_only_on_this_machine_by_default(web_command, monkeypatch):
    monkeypatch.delenv("HOST", raising=False)

    assert web_command("--port", "8000")[-1] == "127.0.0.1:8000"


def test_host_opens_the_store_to_the_network_when_asked(web_command, monkeypatch):
    monkeypatch.setenv("HOST", "192.168.1.20")

    assert web_command("--port", "8000")[-1] == "192.168.1.20:8000"
