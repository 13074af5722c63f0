"""Serve the site on a laptop: web, a Celery worker and beat, as one command that Ctrl-C stops (`make run`)."""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together for a local try; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.setdefault("SITE_URL", base)  # the links in emails point at the port actually served
        python = [sys.executable]
        processes = {
            "web": [*python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            "worker": [
                *python,
                "-m",
                "celery",
                "-A",
                "clinic",
                "-q",
                "worker",
                "-l",
                "INFO",
                "-c",
                "2",
                "--without-gossip",
                "--without-mingle",
            ],
            "beat": [
                *python,
                "-m",
                "celery",
                "-A",
                "clinic",
                "-q",
                "beat",
                "-l",
                "INFO",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }
        self.stdout.write(
            f"\n  The site:       {base}/\n"
            f"  Staff sign-in:  {base}/{settings.ADMIN_URL}\n"
            f"  Email sent:     {base}/dev/mail/   (kept in var/mailbox/: nothing leaves this computer)\n"
            f"  Ctrl-C stops the web server, the worker and beat.\n\n"
        )
        signal.signal(signal.SIGTERM, _stop)
        running = {name: self._start(name, command, env) for name, command in processes.items()}
        try:
            # When one of the three stops (or Ctrl-C), the others are stopped too: half a site misleads.
            while all(process.poll() is None for process in running.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in running.values():
                if process.poll() is None:
                    process.terminate()
            for process in running.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _start(self, name, command, env):
        process = subprocess.Popen(  # noqa: S603 (our own fixed commands, not input)
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        return process

    def _relay(self, name, process):
        for line in process.stdout:
            self.stdout.write(f"{name:>6} | {line.rstrip()}")
