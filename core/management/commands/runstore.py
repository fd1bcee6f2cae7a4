"""Start the whole store in the foreground: web server, Celery worker and Celery beat.
Ctrl-C stops all three; if one of them dies, the others are stopped too."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (development)."

    def add_arguments(self, parser):
        # Only this machine by default: the demo accounts' password is published in the README.
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", default=os.environ.get("PORT") or "8000")

    def handle(self, *args, host, port, **options):
        python = sys.executable
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        processes = {
            "web": [python, "manage.py", "runserver", address],
            "worker": [python, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        }
        # Own process groups: Ctrl-C reaches only this command, which then stops each child once.
        running = {
            name: subprocess.Popen(command, start_new_session=True)  # noqa: S603 - our own fixed commands
            for name, command in processes.items()
        }
        self.stdout.write(self.style.SUCCESS(f"Store running at http://{address}/ — Ctrl-C stops it."))
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while all(process.poll() is None for process in running.values()):
                time.sleep(0.5)
            dead = [name for name, process in running.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(dead)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(running)

    @staticmethod
    def _stop(running: dict[str, subprocess.Popen]) -> None:
        for process in running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # a warm shutdown for Celery
        deadline = time.monotonic() + 10
        for process in running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
