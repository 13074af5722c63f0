"""No working token at rest: the outbox, its admin pages and the whole database hold no patient-link token.

Every patient link (manage my booking, aftercare page and check-in, unsubscribe) carries a random
token made when its email is sent; only the token's SHA-256 is stored. The test drives every kind
of patient email through the real services and the real sender, reads the tokens from the
messages that left (the positive control: the scanner finds them there), then looks for any
token whose hash the database holds in every stored row, attachment, admin page and a full dump.
"""

import base64
import datetime
import io
import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command

from clinic.aftercare import services as aftercare
from clinic.booking import services as booking
from clinic.lib import tokens
from clinic.mail import sending
from clinic.models import AftercareLink, ManageLink, Outbox, UnsubscribeLink
from tests.clinic_fixtures import TUESDAY, at, details
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

# A run of URL-safe base64 at least as long as a token (secrets.token_urlsafe(32): 43 characters).
RUN = re.compile(r"[A-Za-z0-9_-]{43,}")
TOKEN_LENGTH = 43


def hashed_token_models():
    """Every model that keeps a token's hash: found by field, so a new link table is scanned too."""
    return [model for model in apps.get_models() if any(f.name == "token_hash" for f in model._meta.fields)]


def stored_hashes():
    return {h for model in hashed_token_models() for h in model.objects.values_list("token_hash", flat=True)}


def live_tokens_in(text, hashes):
    """Every substring of `text` that is a token whose SHA-256 the database holds."""
    found = set()
    for run in RUN.findall(text):
        for start in range(len(run) - TOKEN_LENGTH + 1):
            candidate = run[start : start + TOKEN_LENGTH]
            if tokens.digest(candidate) in hashes:
                found.add(candidate)
    return found


def sent_text(message):
    parts = [message.subject, message.body, *(str(v) for v in message.extra_headers.values())]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def stored_text(row):
    attachments = [base64.b64decode(a["content"]).decode(errors="replace") for a in row.attachments]
    fields = [row.recipient, row.subject, row.body_text, row.body_html, row.kind, row.cause, row.idempotency_key]
    return "\n".join([*fields, row.message_id, row.last_error, *attachments])


def send_everything(until=None):
    """Send every pending row (due by `until`) as a worker would at its time, until none is left."""
    pending = Outbox.objects.filter(status=Outbox.Status.PENDING).order_by("next_attempt_at", "pk")
    if until is not None:
        pending = pending.filter(next_attempt_at__lte=until)
    while rows := list(pending.all()):  # sending may queue more
        for row in rows:
            assert sending.send_one(row.pk, now=row.next_attempt_at) == Outbox.Status.SENT, row.kind


@pytest.fixture
def every_patient_email(now, book, dr_shah, sam):
    """Book, move, cancel, resend, record a treatment with its aftercare, worry; then send it all."""
    thursday = TUESDAY + datetime.timedelta(days=2)  # far enough ahead for a reminder (48 hours before)
    moved = book(at(thursday, 10), practitioner=dr_shah)
    send_everything(until=now)  # its confirmation leaves before it is moved
    booking.reschedule_appointment(appointment=moved, starts_at=at(thursday, 14), now=now)
    cancelled = book(at(thursday, 11), practitioner=sam, details=details(email="other@example.org"))
    booking.resend_confirmation(appointment=cancelled, now=now)
    booking.cancel_appointment(appointment=cancelled, by_clinic=False, now=now)
    record = aftercare.record_treatment(
        patient=moved.patient,
        treatment=TreatmentPage.objects.get(slug="excision"),
        practitioner=dr_shah,
        performed_at=now - datetime.timedelta(hours=1),
        now=now,
    )
    send_everything()
    link = AftercareLink.objects.filter(record=record).first()
    aftercare.check_in(link=link, feeling="worried", message="It hurts", now=now + datetime.timedelta(days=1))
    send_everything()
    return moved


def test_every_email_kind_was_sent_with_its_links(every_patient_email):
    kinds = set(Outbox.objects.filter(status=Outbox.Status.SENT).values_list("kind", flat=True))
    expected = {"booking_confirmed", "booking_rescheduled", "booking_cancelled", "booking_reminder", "aftercare"}
    assert expected | {"aftercare_concern"} <= kinds
    assert {ManageLink, AftercareLink, UnsubscribeLink} <= set(hashed_token_models())
    for model in (ManageLink, AftercareLink, UnsubscribeLink):
        assert model.objects.exists(), model


def test_the_scanner_finds_the_live_tokens_in_the_emails_that_left(every_patient_email):
    """The positive control: what was sent does carry working tokens, of every kind of link."""
    hashes = stored_hashes()
    found = set().union(*(live_tokens_in(sent_text(m), hashes) for m in mail.outbox))
    kinds = {tokens.digest(t) for t in found}
    for model in (ManageLink, AftercareLink, UnsubscribeLink):
        assert kinds & set(model.objects.values_list("token_hash", flat=True)), model


def test_no_outbox_row_holds_a_working_token(every_patient_email):
    hashes = stored_hashes()
    rows = list(Outbox.objects.all())
    assert len(rows) >= 12
    assert {row.pk: live_tokens_in(stored_text(row), hashes) for row in rows} == {row.pk: set() for row in rows}


def test_no_admin_page_of_the_outbox_shows_a_working_token(every_patient_email, admin_client, settings):
    hashes = stored_hashes()
    base = f"/{settings.ADMIN_URL}clinic/outbox/"
    pages = [base, f"/{settings.ADMIN_URL}clinic/patient/{every_patient_email.patient_id}/change/"]
    for pk in Outbox.objects.values_list("pk", flat=True):
        pages += [f"{base}{pk}/change/", f"{base}{pk}/preview/", f"{base}{pk}/preview/html/"]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert live_tokens_in(response.content.decode(), hashes) == set(), url


def test_no_token_is_anywhere_in_the_database(every_patient_email):
    hashes = stored_hashes()
    dump = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=dump)
    assert live_tokens_in(dump.getvalue(), hashes) == set()
