"""Configuration from the environment: safe defaults, loud failures, a clean deploy check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7R2kq9Lw3Zp8Vn4Tb6Hc1Md5Fs0Gj2Ya7Ue3Ri9Oo4Pl8Kk6Jh-deploy-check",
    "ALLOWED_HOSTS": "clinic.example",
    "SITE_URL": "https://clinic.example",
}


def run_manage(*args, env_overrides, tmp_path):
    test_only = {
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "SECURE_SSL_REDIRECT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env["VAR_DIR"] = str(tmp_path)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_A1_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_it_refuses_to_start_without_required_settings(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env_overrides=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_it_rejects_a_malformed_boolean(tmp_path):
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, "DEBUG": "perhaps"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_debug_runs_on_embedded_defaults(tmp_path):
    """With DEBUG on and nothing else set: SQLite under var/, the file broker, the local mailbox."""
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['OPTIONS']['transaction_mode'],"
        " s.CELERY_BROKER_URL, s.EMAIL_BACKEND, s.DATABASES['default']['NAME'])"
    )
    result = run_manage("shell", "-v0", "-c", code, env_overrides={"DEBUG": "true"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    engine, mode, broker, backend, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert mode == "IMMEDIATE"
    assert broker == "filesystem://localhost/"
    assert backend == "clinic.mail.mailbox.MailboxBackend"
    assert name.startswith(str(tmp_path))


def test_postgres_url_gets_persistent_health_checked_connections(tmp_path):
    code = (
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/clinic"}
    result = run_manage("shell", "-v0", "-c", code, env_overrides=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "600", "True"]


def test_every_setting_read_from_the_environment_is_documented():
    # Settings read them, and so do the helpers settings call (the broker's options, say).
    code = (ROOT / "clinic/settings.py").read_text() + (ROOT / "clinic/lib/env.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|choice|networks|opening_hours)\(\s*"([A-Z_]+)"', code))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', code))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    documented.discard("POSTGRES_PASSWORD")  # read by docker compose, not by Django
    assert read == documented


def test_every_documented_variable_has_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            above = [prev for prev in lines[:i] if prev.strip()][-1]
            assert above.startswith("#") or re.match(r"^[A-Z_]+=", above), line
