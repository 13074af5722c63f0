"""The files that run the site outside the tests: image, compose, dependency locks, the local run, demo loader.

Docker has no engine in the test environments: the Dockerfile, .dockerignore and compose file are parsed
and checked against the code (every service, command, health check, profile and variable).
"""

import ast
import importlib.util
import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from tests.review_fixtures import REVIEWER

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


APP_SERVICES = {"migrate", "web", "worker", "beat"}  # built from the Dockerfile; the others are images


def documented_variables():
    return set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))


def python_code_of(command):
    """The program of a `python -c PROGRAM` health check, as a list (exec form) or after CMD."""
    assert command[command.index("python") + 1] == "-c", command
    return command[command.index("python") + 2]


def test_compose_runs_the_whole_stack_with_a_single_beat():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat", "mailpit"}
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["beat"]["command"][:4] == ["celery", "-A", "clinic", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["worker"]["command"][:4] == ["celery", "-A", "clinic", "worker"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in APP_SERVICES:
        assert services[name]["build"] == ".", name
        assert services[name]["env_file"] == ".env", name
    for name in {"web", "worker", "beat"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)


def test_compose_commands_name_code_that_exists():
    """Every module, app and path a compose command names is in the repository and where the image puts it."""
    services = compose()["services"]
    web = services["web"]["command"]
    assert web == ["gunicorn", "-c", "python:clinic.gunicorn_conf", "clinic.wsgi"]
    for module in ("clinic.gunicorn_conf", "clinic.wsgi", "clinic.celery"):
        assert importlib.util.find_spec(module) is not None, module
    from clinic import celery_app

    assert celery_app.main == "clinic"
    assert (ROOT / "manage.py").exists()
    # beat keeps its schedule under /app/var: the one folder of the image the site's user may write.
    schedule = services["beat"]["command"][services["beat"]["command"].index("--schedule") + 1]
    assert schedule.startswith("/app/var/")
    assert "chown clinic /app/var" in (ROOT / "Dockerfile").read_text()
    for name in {"worker", "beat"}:
        command = services[name]["command"]
        assert {"-l", "INFO"} <= set(command), name


def test_compose_health_checks_web_on_healthz_and_only_web():
    from clinic import gunicorn_conf, health

    services = compose()["services"]
    port = gunicorn_conf.bind.rsplit(":", 1)[1]
    check = services["web"]["healthcheck"]
    assert check["test"][0] == "CMD"
    program = python_code_of(check["test"])
    ast.parse(program)
    assert "urllib.request.urlopen" in program
    assert f"http://127.0.0.1:{port}{health.PATH}" in program
    assert {"interval", "timeout", "start_period", "retries"} <= set(check)
    # The image's HEALTHCHECK probes gunicorn: the services that serve no HTTP turn it off.
    for name in APP_SERVICES - {"web"}:
        assert services[name]["healthcheck"] == {"disable": True}, name
    assert "pg_isready" in services["db"]["healthcheck"]["test"][1]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_compose_mailpit_is_a_try_it_profile_reachable_from_this_machine_only():
    services = compose()["services"]
    mailpit = services["mailpit"]
    assert re.fullmatch(r"axllent/mailpit:v\d+\.\d+\.\d+", mailpit["image"])
    assert mailpit["profiles"] == ["tryit"]
    assert set(mailpit["ports"]) == {"127.0.0.1:8025:8025", "127.0.0.1:1025:1025"}
    # `docker compose up` without the profile runs the production stack only.
    assert [name for name, service in services.items() if "profiles" in service] == ["mailpit"]
    # The way to send to it uses only variables the settings read, documented in .env.example.
    text = (ROOT / "docker-compose.yml").read_text()
    for setting in ("EMAIL_HOST=mailpit", "EMAIL_PORT=1025", "EMAIL_USE_TLS=false"):
        assert setting in text, setting
        assert setting.split("=")[0] in documented_variables()


def test_compose_publishes_ports_on_loopback_only():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_compose_only_sets_variables_the_settings_read():
    documented = documented_variables()
    settings_source = (ROOT / "clinic" / "settings.py").read_text()
    for name in APP_SERVICES:
        for variable in compose()["services"][name].get("environment", {}):
            assert variable in documented, (name, variable)
            assert f'"{variable}"' in settings_source, (name, variable)
    # Every ${VARIABLE} compose reads from .env is documented there too.
    for variable in re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()):
        assert variable in documented, variable


# --- The image ------------------------------------------------------------------------------------


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def dockerfile_stages():
    stages = []
    for instruction, arguments in dockerfile_instructions():
        if instruction == "FROM":
            stages.append([])
        stages[-1].append((instruction, arguments))
    return stages


def test_image_is_multi_stage_slim_and_runs_as_a_user():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    builder, final = stages[0], stages[-1]
    assert builder[0][1] == "python:3.11-slim-bookworm AS builder"
    assert final[0][1] == "python:3.11-slim-bookworm"
    copies = [arguments for instruction, arguments in final if instruction == "COPY"]
    assert copies == ["--from=builder /opt/venv /opt/venv", ". ."]
    users = [(index, arguments) for index, (instruction, arguments) in enumerate(final) if instruction == "USER"]
    assert len(users) == 1 and users[0][1] not in {"root", "0"}
    last_run = max(index for index, (instruction, _) in enumerate(final) if instruction == "RUN")
    assert users[0][0] > last_run  # nothing after it runs as root
    assert f"useradd --system --no-create-home --home-dir /app --shell /usr/sbin/nologin {users[0][1]}" in str(final)
    assert final[-1] == ("CMD", '["gunicorn", "-c", "python:clinic.gunicorn_conf", "clinic.wsgi"]')
    assert any(instruction == "ENV" and "PATH=/opt/venv/bin:" in arguments for instruction, arguments in final)


def test_image_installs_only_the_hashed_runtime_lock():
    text = (ROOT / "Dockerfile").read_text()
    assert "requirements-dev" not in text
    installs = [arguments for instruction, arguments in dockerfile_instructions() if "pip" in arguments]
    installs = [command for command in installs if " install " in command]
    assert installs, "the builder installs the lock"
    for command in installs:
        assert "--require-hashes" in command
        assert "--only-binary :all:" in command  # nothing is built, so nothing unhashed is fetched to build it
        assert re.findall(r"-r (\S+)", command) == ["requirements.txt"]
    builder = dockerfile_stages()[0]
    assert ("COPY", "requirements.txt requirements.txt") in builder  # in the builder's WORKDIR
    # The final stage never runs pip: it only receives the builder's venv.
    assert not any(" pip " in f" {arguments} " for _, arguments in dockerfile_stages()[-1])


def test_image_collects_static_files_at_build():
    final = dockerfile_stages()[-1]
    runs = [arguments for instruction, arguments in final if instruction == "RUN"]
    collect = [run for run in runs if "manage.py collectstatic --noinput" in run]
    assert len(collect) == 1
    # Dummy values: with DEBUG off the settings refuse to load without them; the real ones come at run time.
    assert "SECRET_KEY=build-only" in collect[0] and "ALLOWED_HOSTS=build" in collect[0]


def test_image_health_check_calls_healthz_with_python():
    from clinic import gunicorn_conf, health

    final = dockerfile_stages()[-1]
    checks = [arguments for instruction, arguments in final if instruction == "HEALTHCHECK"]
    assert len(checks) == 1
    options, _, command = checks[0].partition("CMD ")
    assert re.search(r"--interval=\d+s", options) and re.search(r"--timeout=\d+s", options)
    command = json.loads(command)
    program = python_code_of(command)
    ast.parse(program)
    port = gunicorn_conf.bind.rsplit(":", 1)[1]
    assert f"urllib.request.urlopen('http://127.0.0.1:{port}{health.PATH}'" in program
    # The same probe as compose's: the two cannot drift apart.
    assert command == ["python", *compose()["services"]["web"]["healthcheck"]["test"][2:]]


# --- What goes into the image: the build context ---------------------------------------------------


def dockerignore_patterns():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def docker_pattern(pattern):
    """A .dockerignore pattern as a regular expression, with Docker's rules: `*` stays within a folder,
    `**` crosses folders, paths are relative to the context and cleaned."""
    pattern = posixpath.normpath(pattern.lstrip("/"))
    regex, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return re.compile(regex + r"\Z")


def build_context():
    """The files `docker build .` would send, by .dockerignore's rules (a pattern that matches a folder
    leaves out all it holds). Folders left out are not walked."""
    patterns = [docker_pattern(pattern) for pattern in dockerignore_patterns()]

    def ignored(path):
        return any(pattern.match(path) for pattern in patterns)

    files = set()
    for folder, subfolders, names in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if relative == "." else relative + "/"
        subfolders[:] = [name for name in subfolders if not ignored(prefix + name)]
        files.update(prefix + name for name in names if not ignored(prefix + name))
    return files


def test_dockerignore_names_every_required_pattern():
    patterns = dockerignore_patterns()
    required = {".env", ".env.*", ".git", "tests", "bench", "docs", ".ci", "var", ".venv", "staticfiles"}
    assert required <= {pattern.rstrip("/") for pattern in patterns}
    # No exceptions: a `!` pattern could bring an .env or a test back in (and build_context does not follow them).
    assert not [pattern for pattern in patterns if pattern.startswith("!")]


def test_build_context_holds_the_application_and_nothing_of_development():
    files = build_context()
    for needed in (
        "Dockerfile",
        "manage.py",
        "requirements.txt",
        "clinic/settings.py",
        "clinic/wsgi.py",
        "clinic/gunicorn_conf.py",
        "clinic/health.py",
        "templates/base.html",
    ):
        assert needed in files, needed
    assert any(name.startswith("static/") for name in files)
    assert any(name.startswith("treatments/content/") for name in files)
    for name in files:
        assert name.split("/")[0] not in {"tests", "bench", "docs", ".ci", "var", ".git", ".venv", "staticfiles"}, name
        assert not name.split("/")[-1].startswith(".env"), name
        assert "__pycache__" not in name and not name.endswith(".pyc"), name
        assert not name.startswith("requirements-dev"), name


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        (".env.*", ".env.production", True),
        (".env.*", "clinic/.env.local", False),
        ("tests", "tests", True),
        ("**/*.pyc", "clinic/lib/x.pyc", True),
        ("**/__pycache__", "__pycache__", True),
        ("*.md", "docs/x.md", False),
    ],
)
def test_the_dockerignore_reader_follows_dockers_rules(pattern, path, matches):
    assert bool(docker_pattern(pattern).match(path)) is matches


# --- Locked dependencies -------------------------------------------------------------------------


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(filename):
    """{package: (version, [hashes], [what it is there for])} from a pip-compile --generate-hashes file."""
    entries, current = {}, None
    text = re.sub(r"\\\n", " ", (ROOT / filename).read_text())
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            via = re.match(r"#\s+(?:via\s+)?(-[rc] \S+|[A-Za-z0-9][\w.-]*)$", stripped)
            if current and via and line.startswith("    "):
                entries[current][2].append(via.group(1))
            continue
        requirement = re.match(r"([A-Za-z0-9][\w.-]*)(\[[^\]]*\])?\s*(\S*)", stripped)
        assert requirement, f"{filename}: cannot read {stripped!r}"
        name, pin = canonical(requirement.group(1)), requirement.group(3)
        assert pin.startswith("=="), f"{filename}: {name} is not pinned with == ({stripped!r})"
        current = name
        entries[name] = (pin[2:], re.findall(r"--hash=sha256:([0-9a-f]{64})", stripped), [])
    return entries


def direct_requirements(filename):
    """{package: version} named in a requirements .in file (options such as -c are left out)."""
    found = {}
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = re.fullmatch(r"([A-Za-z0-9][\w.-]*)(\[[^\]]*\])?==(\S+)", line)
        assert requirement, f"{filename}: pin every direct dependency with == ({line!r})"
        found[canonical(requirement.group(1))] = requirement.group(3)
    return found


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_is_pinned_with_hashes(lock):
    entries = lock_entries(lock)
    assert len(entries) > 20
    for name, (_version, hashes, _via) in entries.items():
        assert hashes, f"{lock}: {name} has no --hash"
    text = (ROOT / lock).read_text()
    # The lock names no index or local folder of the machine that compiled it.
    for option in ("--index-url", "--extra-index-url", "--find-links", "--trusted-host", "-e "):
        assert option not in text, option


@pytest.mark.parametrize(
    ("source", "lock"), [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")]
)
def test_the_lock_pins_exactly_the_direct_dependencies_its_source_names(source, lock):
    direct = direct_requirements(source)
    entries = lock_entries(lock)
    for name, version in direct.items():
        assert name in entries, f"{source} names {name}, {lock} does not: run make lock"
        assert entries[name][0] == version, f"{name}: {source} says {version}, {lock} {entries[name][0]}: run make lock"
    pinned_for_source = {name for name, (_, _, via) in entries.items() if f"-r {source}" in via}
    assert pinned_for_source == set(direct), f"{lock} is stale against {source}: run make lock"


def test_runtime_and_development_sets_are_separate_and_agree():
    runtime, development = lock_entries("requirements.txt"), lock_entries("requirements-dev.txt")
    assert "-c requirements.txt" in (ROOT / "requirements-dev.in").read_text().splitlines()
    for name in set(runtime) & set(development):
        assert runtime[name][0] == development[name][0], name
        assert set(runtime[name][1]) == set(development[name][1]), name
    tools = {"pytest", "ruff", "mypy", "django-stubs", "pip-tools", "pip-audit", "playwright", "hypothesis"}
    assert tools <= set(development)
    assert not tools & set(runtime), "a test or tooling package in the runtime lock ends up in the image"
    assert {"django", "celery", "gunicorn", "psycopg", "psycopg-binary", "sentry-sdk"} <= set(runtime)
    assert "honcho" not in runtime and "honcho" not in development


def test_make_installs_only_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if re.search(r"\bpip install\b", line)]
    assert installs
    for line in installs:
        assert "--require-hashes" in line, line
        assert set(re.findall(r"-r (\S+)", line)) <= {"requirements.txt", "requirements-dev.txt"}, line
    assert "pip install -q --require-hashes -r requirements.txt -r requirements-dev.txt" in makefile
    assert "--generate-hashes" in makefile and "-o requirements-dev.txt requirements-dev.in" in makefile


FAKE_PIP_AUDIT = """
import os, sys
from pathlib import Path

Path(os.environ["FAKE_AUDIT_ARGS"]).write_text("\\n".join(sys.argv[1:]))
if os.environ["FAKE_AUDIT_REPORT"]:
    Path(sys.argv[sys.argv.index("--output") + 1]).write_text(os.environ["FAKE_AUDIT_REPORT"])
sys.stderr.write(os.environ["FAKE_AUDIT_LOG"])
sys.exit(int(os.environ["FAKE_AUDIT_STATUS"]))
"""


def run_make_audit(tmp_path, report, log, status):
    """`make audit` itself, with a stand-in pip-audit that answers as told (no network)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    fake = venv / "bin" / "pip-audit"
    fake.write_text(f"#!{sys.executable}\n{FAKE_PIP_AUDIT}")
    fake.chmod(0o755)
    stamp = venv / ".dev-installed"
    stamp.touch()
    newest_lock = max((ROOT / lock).stat().st_mtime for lock in ("requirements.txt", "requirements-dev.txt"))
    os.utime(stamp, (newest_lock + 1, newest_lock + 1))  # newer than the locks: make installs nothing
    environment = {
        **os.environ,
        "FAKE_AUDIT_ARGS": str(tmp_path / "args"),
        "FAKE_AUDIT_REPORT": report or "",
        "FAKE_AUDIT_LOG": log,
        "FAKE_AUDIT_STATUS": str(status),
    }
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "audit", f"VENV={venv}", f"AUDIT_DIR={tmp_path / 'out'}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, (tmp_path / "args").read_text().split("\n")


@pytest.mark.parametrize(
    ("report", "log", "status", "fails", "says"),
    [
        # The database answered and knows of a vulnerability: named, with its fix, and make fails.
        (
            '{"dependencies": [{"name": "django", "version": "5.2.19", "vulns": [{"id": "PYSEC-0000-1", '
            '"fix_versions": ["5.2.20"]}]}, {"name": "celery", "version": "5.7.0", "vulns": []}], "fixes": []}',
            "",
            1,
            True,
            ["django 5.2.19: PYSEC-0000-1 (fixed in: 5.2.20)", "1 known vulnerabilities in the 2 packages checked"],
        ),
        # Everything checked, nothing known.
        (
            '{"dependencies": [{"name": "celery", "version": "5.7.0", "vulns": []}], "fixes": []}',
            "",
            0,
            False,
            ["no known vulnerabilities in the 1 locked packages checked (pypi)"],
        ),
        # The service answered for no package (a mirror without per-release data does this).
        (
            '{"dependencies": [{"name": "celery", "skip_reason": "Dependency not found on PyPI"}], "fixes": []}',
            "",
            0,
            False,
            ["could not reach the vulnerability database (pypi); nothing was checked"],
        ),
        # No network at all: pip-audit stops with a connection error and writes no report.
        (
            None,
            "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='osv.example'): Max retries exceeded",
            1,
            False,
            ["could not reach the vulnerability database (pypi); nothing was checked"],
        ),
        # Any other failure is not hidden.
        (None, "pip_audit: error: unreadable requirements", 2, True, ["pip-audit failed (exit 2)"]),
    ],
)
def test_make_audit_says_what_was_checked(tmp_path, report, log, status, fails, says):
    result, arguments = run_make_audit(tmp_path, report, log, status)
    assert (result.returncode != 0) is fails, result.stdout + result.stderr
    for words in says:
        assert words in result.stdout + result.stderr
    # The locks themselves, read without installing them, every entry's hash required.
    assert {"--disable-pip", "--require-hashes"} <= set(arguments)
    assert [arguments[index + 1] for index, word in enumerate(arguments) if word == "-r"] == [
        "requirements.txt",
        "requirements-dev.txt",
    ]
    assert arguments[arguments.index("--vulnerability-service") + 1] == "pypi"


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
    # One demo login, whatever else the test database holds (the tests' clinical reviewer).
    assert django_user_model.objects.exclude(username=REVIEWER).count() == 1


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


def test_make_run_serves_web_worker_and_beat_with_runlocal_and_no_honcho():
    makefile = (ROOT / "Makefile").read_text()
    assert "manage.py runlocal --port $(PORT)" in makefile and "honcho" not in makefile
    assert not (ROOT / "Procfile").exists()
    from clinic.management.commands import runlocal

    assert "celery" in Path(runlocal.__file__).read_text() and "beat" in Path(runlocal.__file__).read_text()
