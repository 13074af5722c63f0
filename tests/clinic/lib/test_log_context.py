"""Log lines say where they came from (request, staff member, task, email) and, as JSON, take one line each."""

import json
import logging

import pytest

from clinic.lib import log_context

pytestmark = pytest.mark.django_db


def record(message="hello", exc_info=None):
    return logging.LogRecord("clinic.test", logging.ERROR, __file__, 1, message, (), exc_info)


def test_a_json_line_carries_the_bound_ids_and_a_redacted_traceback():
    try:
        raise ValueError("bad /manage/cAnArY-token-0123456789/ for pat@example.org")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    with log_context.bound(request_id="0123456789abcdef", user_id=7):
        line = log_context.JsonFormatter().format(record("Not Found: /aftercare/cAnArY-token-0123456789/", exc_info))
    assert "\n" not in line
    data = json.loads(line)
    assert data["request_id"] == "0123456789abcdef" and data["user_id"] == 7 and data["level"] == "ERROR"
    assert data["message"] == "Not Found: /aftercare/[token]/"
    assert "cAnArY" not in line and "pat@example.org" not in line and "ValueError" in data["exc"]


def test_ids_are_bound_only_inside_their_block():
    with log_context.bound(task_id="t-1"):
        with log_context.bound(outbox_id=42):
            assert log_context.current() == {"task_id": "t-1", "outbox_id": 42}
        assert log_context.current() == {"task_id": "t-1"}
    assert log_context.current() == {}
    assert log_context.ContextFormatter("%(message)s").format(record()) == "hello"


def test_each_request_gets_an_id_in_its_log_lines_and_its_response(staff_client, caplog, client, settings):
    """Django logs a 404 after the middleware returns: the line still carries the request's and staff member's ids."""
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/no-such-page/")
    given = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-id-12345678")
    forged = client.get("/no-such-page/", HTTP_X_REQUEST_ID="<script>")
    assert len(response["X-Request-ID"]) == 32 and given["X-Request-ID"] == "proxy-id-12345678"
    assert forged["X-Request-ID"] != "<script>"
    desk = staff_client("Reception")
    staff_404 = desk.get(f"/{settings.ADMIN_URL}clinic/no-such-model/")
    lines = [json.loads(log_context.JsonFormatter().format(r)) for r in caplog.records if r.name == "django.request"]
    assert [line["request_id"] for line in lines][:2] == [response["X-Request-ID"], "proxy-id-12345678"]
    assert lines[-1]["user_id"] == desk.user.pk and lines[-1]["request_id"] == staff_404["X-Request-ID"]
    assert "user_id" not in lines[0]  # a patient is not named, even by id
