"""The files that run the site outside the tests: compose, Procfile, the demo loader."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_whole_stack_with_a_single_beat():
    services = compose()["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["beat"]["command"][:4] == ["celery", "-A", "clinic", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["worker"]["command"][:4] == ["celery", "-A", "clinic", "worker"]
    assert services["web"]["command"][0] == "gunicorn"


def test_compose_only_sets_variables_the_settings_read():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    for name, service in compose()["services"].items():
        if name in {"db", "redis"}:
            continue
        assert set(service.get("environment", {})) <= documented, name


def test_procfile_runs_web_worker_and_beat():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert set(lines) == {"web", "worker", "beat"}
    assert "127.0.0.1:8000" in lines["web"]
    assert lines["beat"].startswith("celery -A clinic beat")


@pytest.mark.django_db
def test_demo_loader_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


@pytest.mark.django_db
def test_demo_loader_prints_a_fresh_one_time_password_each_run(settings, capsys, django_user_model):
    settings.DEBUG = True
    call_command("load_demo")
    first = capsys.readouterr().out.split("password ")[1].split()[0]
    call_command("load_demo")
    second = capsys.readouterr().out.split("password ")[1].split()[0]
    assert first != second
    user = django_user_model.objects.get(username="demo-manager")
    assert user.is_staff
    assert user.check_password(second)
    assert django_user_model.objects.count() == 1


def test_J4_the_image_and_compose_run_gunicorn_with_the_redacting_config():
    from clinic import gunicorn_conf

    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"-c", "python:clinic.gunicorn_conf"' in dockerfile
    assert compose()["services"]["web"]["command"][:3] == ["gunicorn", "-c", "python:clinic.gunicorn_conf"]
    assert gunicorn_conf.logger_class == "clinic.gunicorn_conf.RedactingLogger"
    assert "%(q)s" not in gunicorn_conf.access_log_format and "%(r)s" not in gunicorn_conf.access_log_format


def test_J4_the_access_log_atoms_hold_no_token_query_referrer_or_header():
    """Whatever format a deployment picks, no atom carries a token or what someone typed."""
    import datetime

    from gunicorn.config import Config

    from clinic.gunicorn_conf import RedactingLogger

    token = "cAnArY-j4-token-0123456789abcdefghijklmnopqrstuv"

    class Response:
        status, sent, headers = "200 OK", 10, [("Set-Cookie", "sessionid=secret")]

    class Request:
        headers = [("COOKIE", "sessionid=secret"), ("REFERER", f"https://x/manage/{token}/")]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/manage/{token}/?q=canary@example.org",
        "PATH_INFO": f"/manage/{token}/",
        "QUERY_STRING": "q=canary@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://x/manage/{token}/",
        "HTTP_USER_AGENT": "canary-agent",
    }
    atoms = RedactingLogger(Config()).atoms(Response(), Request(), environ, datetime.timedelta(seconds=0))
    everything = repr(atoms)
    for secret in (token, "canary@example.org", "sessionid=secret", "canary-agent"):
        assert secret not in everything, secret
    assert atoms["U"] == "/manage/[token]/" and atoms["r"] == "GET /manage/[token]/ HTTP/1.1"
