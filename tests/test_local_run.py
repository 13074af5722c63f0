"""`make run`'s server: `manage.py runlocal` starts web, worker and beat, says where the mailbox is, stops all three."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.smtp_sink import free_port
from tests.support.worker import ROOT

pytestmark = pytest.mark.chaos


def test_runlocal_serves_the_site_sends_mail_to_the_local_mailbox_and_stops_everything(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}},
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path),
        "ENV_FILE": "",
        "SITE_URL": "",
        "SECURE_SSL_REDIRECT": "false",
        "STAFF_2FA_REQUIRED": "false",
    }
    env.pop("SITE_URL")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=180)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    log = tmp_path / "runlocal.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*manage, "runlocal", "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90
        mailbox = tmp_path / "mailbox"
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            # The demo's aftercare email and the concern alert are due now: the worker delivers them.
            if "ready." in text and mailbox.exists() and len(list(mailbox.glob("*.eml"))) >= 2:
                break
            assert process.poll() is None, text[-3000:]
            time.sleep(0.5)
        else:
            pytest.fail(f"not serving and sending after 90 s:\n{log.read_text(errors='replace')[-3000:]}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dev/mail/", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and f"http://127.0.0.1:{port}/aftercare/" in page  # links use the port served
        assert f"Email sent:     http://127.0.0.1:{port}/dev/mail/" in log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    time.sleep(1)
    leftovers = subprocess.run(["pgrep", "-f", f"runserver 127.0.0.1:{port}"], capture_output=True, text=True).stdout
    assert leftovers == ""
