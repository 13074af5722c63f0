"""The bytes written directly (clinic.mail.mime) parse to the same email as Django's own rendering of it.

Each case builds an outbox row's message with `build_message`, renders it both ways, and compares
what Python's email parser reads back: every header (decoded), the tree of parts, each part's
content type, charset, disposition, filename and decoded content. Then one goes through a real
SMTP server with send_due_mail and arrives whole.
"""

import base64
import datetime
import email
import email.policy
import io

import pytest
import time_machine
from django.core.mail import BadHeaderError
from django.core.management import call_command

from clinic.mail import mime, sending
from clinic.models import Outbox
from tests.factories import OutboxFactory

pytestmark = pytest.mark.django_db

T = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Rendez-vous à la clinique\r\nEND:VCALENDAR\r\n"


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def shape(message) -> list:
    """Everything a reader sees of a message, parts in order; the boundaries and the Date left out."""
    headers = sorted(
        (name.lower(), str(value).strip())  # Django folds a long List-Unsubscribe before its value
        for name, value in message.items()
        if name.lower() not in {"date", "content-type", "content-transfer-encoding"}
    )
    seen = [headers]
    for part in message.walk():
        content = None if part.is_multipart() else part.get_content()
        seen.append(
            (part.get_content_type(), part.get_content_charset(), part.get_content_disposition(), part.get_filename())
        )
        if content is not None:
            seen.append(content.replace("\r\n", "\n") if isinstance(content, str) else content)
    return seen


def both_ways(row):
    message = sending.build_message(row, now=T)
    django = parsed(message.message().as_bytes(linesep="\r\n"))
    ours = parsed(mime.wire_bytes(message))
    return django, ours


def stored(content: str | bytes, filename="appointment.ics", mimetype="text/calendar"):
    data = content.encode() if isinstance(content, str) else content
    return {"filename": filename, "mimetype": mimetype, "content": base64.b64encode(data).decode()}


@pytest.mark.parametrize(
    "fields",
    [
        {},  # text and HTML
        {"body_html": ""},  # text only
        {"subject": "Vos soins après le traitement — étape 2", "body_text": "Crème, 2×/jour.\n"},
        {"subject": ("A rather long subject line " * 5).strip()},  # Django folds it; unfolded here
        {"body_text": "x" * 1200 + "\nA line too long for SMTP, then a short one.\n"},
        {"attachments": [stored(ICS)]},
        {"attachments": [stored(ICS)], "body_html": ""},
        {"attachments": [stored(b"%PDF-1.4 \x00\xff\x10 binary", "letter.pdf", "application/pdf")]},
        {"attachments": [stored(ICS, filename="rendez-vous é.ics")]},
        {"category": Outbox.Category.AFTERCARE, "body_text": "Stop: https://x/unsubscribe-token-placeholder/\n"},
        {"recipient": "patient@bücher.example"},
    ],
)
def test_the_bytes_parse_to_what_django_would_send(fields, settings):
    settings.DEFAULT_FROM_EMAIL = "Riverside Skin Clinic <no-reply@clinic.example>"
    settings.CLINIC_REPLY_TO = "desk@clinic.example"
    django, ours = both_ways(OutboxFactory(**fields))
    assert shape(ours) == shape(django)
    assert ours["Message-ID"] == django["Message-ID"]
    assert ours["Reply-To"] == "desk@clinic.example"
    assert ours["Date"]


def test_a_non_ascii_sender_name_is_encoded_like_django(settings):
    settings.DEFAULT_FROM_EMAIL = "Clinique Rivière <no-reply@clinic.example>"
    django, ours = both_ways(OutboxFactory())
    assert str(ours["From"]) == str(django["From"]) == "Clinique Rivière <no-reply@clinic.example>"


def test_a_line_break_in_a_header_is_refused_like_django():
    message = sending.build_message(OutboxFactory(subject="Hello\r\nBcc: someone@else.example"), now=T)
    with pytest.raises(BadHeaderError):
        mime.wire_bytes(message)
    with pytest.raises(BadHeaderError):
        message.message()


def test_every_line_ends_in_crlf_and_stays_within_smtp_limits():
    row = OutboxFactory(body_text="one\ntwo\r\nthree\r" + "y" * 2000, attachments=[stored(ICS)])
    data = mime.wire_bytes(sending.build_message(row, now=T))
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= mime.LINE_LIMIT


def test_cron_sends_the_directly_written_bytes_over_smtp(smtp, settings):
    settings.CLINIC_REPLY_TO = "desk@clinic.example"
    row = OutboxFactory(
        subject="Votre rendez-vous", attachments=[stored(ICS)], next_attempt_at=T - datetime.timedelta(minutes=1)
    )
    with time_machine.travel(T, tick=False):
        call_command("send_due_mail", stdout=io.StringIO())
    (delivery,) = smtp.deliveries
    assert delivery.rcpt_tos == [row.recipient]
    message = delivery.message
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "Votre rendez-vous"
    assert message["Reply-To"] == "desk@clinic.example"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Hello.\n"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "appointment.ics"
    assert attachment.get_content().replace("\r\n", "\n") == ICS.replace("\r\n", "\n")
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
