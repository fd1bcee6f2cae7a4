"""The production-like set-up a shop starts with (docker-compose.yml's defaults) passes Django's
deployment checklist as cleanly as CI's settings do: HTTPS only, secure cookies, HSTS."""

import os
import re
import subprocess
import sys

import yaml
from django.conf import settings

COMPOSE = settings.BASE_DIR / "docker-compose.yml"


def _default(value: str) -> str:
    """What `docker compose` makes of ${NAME:-default} and ${NAME:?error} with nothing set."""
    value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "a-long-random-secret-key-that-compose-would-require-0123456789", value)
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def compose_web_environment() -> dict[str, str]:
    web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    return {name: _default(str(value)) for name, value in web["environment"].items()}


def test_docker_compose_defaults_pass_the_deployment_check():
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings",
           **compose_web_environment()}

    result = subprocess.run(  # noqa: S603 - our own interpreter running our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr + result.stdout


def test_docker_compose_counts_its_tls_proxy_as_the_one_trusted_proxy():
    assert compose_web_environment()["TRUSTED_PROXIES"] == "1"
