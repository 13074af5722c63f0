"""The log filter redacts patient-link tokens and addresses from every record shape, and breaks none (D4, J9)."""

import logging

import pytest

from clinic.lib.log_redaction import RedactTokens

TOKEN = "Zq3-cAnArY-tOkEn_7f3a9d1e0b2c4a6f8e1d3c5b7a9f0e2d"
RECORDS = [
    # (what the code logs: message, args) — the shapes Django, Celery, gunicorn and our own code use
    ("Not Found: %s", (f"/manage/{TOKEN}/",)),  # Django: tuple args
    (
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        {  # Celery: one dict
            "name": "clinic.mail.tasks.send_outbox_email",
            "id": "4b1c",
            "runtime": 0.01,
            "return_value": None,
        },
    ),
    (f"GET /aftercare/{TOKEN}/check-in/worried/ 200", None),  # no args, already formatted
    ("100%% of /email/unsubscribe/%s/ done", (TOKEN,)),  # an escaped % beside an argument
    ('%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": f"GET /manage/{TOKEN}/cancel/ HTTP/1.1", "s": "200"}),  # gunicorn
    ("outbox %s sent to %s", (42, "canary-7f3a@example.org")),  # an address that slipped into a message
]


@pytest.mark.parametrize(("message", "args"), RECORDS)
def test_J9_every_record_shape_formats_to_one_redacted_line(log, capsys, message, args):
    logger, stream = log
    if args is None:
        logger.warning(message)
    elif isinstance(args, dict):
        logger.warning(message, args)
    else:
        logger.warning(message, *args)
    written = stream.getvalue()
    assert "Logging error" not in capsys.readouterr().err
    assert written.count("\n") == 1 and written.startswith("WARNING tests.redaction ")
    assert TOKEN not in written and "canary-7f3a@example.org" not in written
    if TOKEN in f"{message} {args}" or "@" in f"{args}":
        assert "[token]" in written or "[email]" in written


def test_J9_the_values_around_a_token_survive_redaction(log):
    logger, stream = log
    logger.info("Task %(name)s[%(id)s] received", {"name": "clinic.mail.tasks.dispatch_due_email", "id": "9f2e"})
    logger.info("Not Found: %s", f"/manage/{TOKEN}/move/")
    assert stream.getvalue().splitlines() == [
        "INFO tests.redaction Task clinic.mail.tasks.dispatch_due_email[9f2e] received",
        "INFO tests.redaction Not Found: /manage/[token]/move/",
    ]


def test_J9_an_exception_record_keeps_its_traceback_and_loses_the_token(log, capsys):
    logger, stream = log
    try:
        raise ValueError("bad link")
    except ValueError:
        logger.exception("Error handling request %s", f"/aftercare/{TOKEN}/")
    written = stream.getvalue()
    assert "Logging error" not in capsys.readouterr().err
    assert TOKEN not in written and "Traceback" in written and "ValueError: bad link" in written


def test_J9_a_malformed_record_is_left_for_the_handler_as_it_would_be_anyway(log):
    logger, stream = log
    record = logger.makeRecord("tests.redaction", logging.INFO, __file__, 1, "%s and %s", ("one",), None)
    assert RedactTokens().filter(record) is True
    assert record.args == ("one",)  # untouched: the handler reports it as it always has


# --- H2: a whole day's flow logs nothing personal ---------------------------------------------------

CANARY = {
    "name": "Canary Loggy-h2",
    "email": "canary-h2@example.org",
    "phone": "07911 246813",
    "date_of_birth": "1961-07-14",
    "notes": "CANARY-h2-notes",
}


@pytest.mark.django_db
def test_H2_a_whole_flow_logs_no_personal_data(
    client, now, clinic_schedule, caplog, mailoutbox, settings, monkeypatch, django_user_model
):
    """Book, send, cancel, staff search and view, a forced 500 and a lockout, with every logger at DEBUG."""
    from django.test import Client

    from clinic.booking.forms import DetailsForm
    from clinic.mail import sending
    from clinic.models import Appointment, Outbox
    from clinic.staff import roles
    from tests.clinic.booking.flow import ANSWERS, DETAILS, confirm
    from tests.clinic_fixtures import TUESDAY, at
    from tests.helpers import manage_token
    from tests.staff_fixtures import make_staff, sign_in

    settings.ADMINS = [("ops@clinic.test", "ops@clinic.test")]
    caplog.set_level(logging.DEBUG)
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    client.post("/book/details/", {**DETAILS, **CANARY})
    client.post("/book/questions/", ANSWERS)
    confirm(client, client.get("/book/review/"))
    token = manage_token(Appointment.objects.get())
    for email in Outbox.objects.filter(status=Outbox.Status.PENDING):
        sending.send_one(email.pk, now=now)
    client.get(f"/manage/{token}/")
    client.post(f"/manage/{token}/cancel/")

    desk = sign_in(Client(), make_staff(django_user_model, "desk", role=roles.RECEPTION))
    for query in (CANARY["name"], CANARY["email"], CANARY["phone"]):
        desk.get(f"/{settings.ADMIN_URL}clinic/patient/", {"q": query})
    desk.get(f"/{settings.ADMIN_URL}clinic/appointment/{Appointment.objects.get().pk}/change/")

    # A server error while a patient's details are being posted: the report to ADMINS must not carry them.
    crashing = Client(raise_request_exception=False)
    crashing.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    crashing.post("/book/times/", {"slot": at(TUESDAY, 11).isoformat()})
    monkeypatch.setattr(DetailsForm, "clean_notes", lambda form: 1 / 0)
    assert crashing.post("/book/details/", {**DETAILS, **CANARY}).status_code == 500
    for _ in range(6):
        Client().post(f"/{settings.ADMIN_URL}login/", {"username": CANARY["email"], "password": "x", "otp_token": "1"})

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    reports = "\n".join(
        e.subject + e.body_text + e.body_html
        for e in Outbox.objects.filter(kind="server_error", recipient="ops@clinic.test")
    )
    assert "Not Found" in logged or "Internal Server Error" in logged  # the logs were captured at all
    for canary in (*CANARY.values(), "+447911246813", token):
        assert canary not in logged, canary
    assert "ZeroDivisionError" in reports  # the error report went out, and without the patient's details
    for canary in CANARY.values():
        assert canary not in reports, canary


def test_J9_a_masked_broker_url_keeps_its_host():
    from clinic.lib.log_redaction import redact

    assert redact("Connected to redis://:**@127.0.0.1:6390/0") == "Connected to redis://:**@127.0.0.1:6390/0"
    assert redact("to pat.o'neil+skin@example.co.uk today") == "to [email] today"
