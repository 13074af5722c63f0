"""Discreet previews: what an inbox shows of a patient email names no treatment, condition or clinical detail.

An inbox shows the subject, then the preheader (the hidden first line of the HTML part), then the
start of the body; a plain-text client shows the start of the text part. Every template in
templates/emails/ is rendered here with the real content (each of the 23 aftercare steps) and
real-looking context, and the first 150 characters of each are checked against clinical words
drawn from the content.
"""

import datetime
import pathlib
import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.utils import timezone

from clinic.aftercare.services import email_context
from clinic.booking.services import _email_context as booking_context
from clinic.mail.rendering import render_email
from clinic.models import WaitlistEntry, WaitlistOffer
from clinic.waitlist.services import _context as waitlist_context
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory
from treatments import content
from treatments.help import help_levels
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db

PREVIEW_LENGTH = 150
EMAILS = pathlib.Path(settings.BASE_DIR) / "templates" / "emails"
# Every template is one or the other: a new template fails test_every_template_is_classified until it is.
PATIENT_EMAILS = {
    "aftercare_step",
    "booking_confirmed",
    "booking_rescheduled",
    "booking_cancelled",
    "booking_reminder",
    "test_message",
    "waitlist_joined",
    "waitlist_offer",
}
STAFF_EMAILS = {"aftercare_concern", "review_digest", "server_error", "staff_alert"}

# Body and clinical terms a preview must not show (with the treatment and condition names read from the content).
CLINICAL_TERMS = [
    "milia", "milium", "miliaria", "acne", "whitehead", "cyst", "lesion", "keratin",
    "wound", "stitch", "suture", "scar", "dressing", "infection", "bleed", "blister", "scab", "crust",
    "pus", "swelling", "swollen", "redness", "sunburn", "graze", "ooze", "itch", "peel", "bruis",
    "anaesthetic", "numb", "ointment", "petroleum", "antiviral", "antibiotic", "painkiller", "pain relief",
    "cold sore", "sepsis", "fever", "temperature", "biopsy", "laboratory", "surgery", "incision",
    "spot", "bump", "sore", "procedure", "de-roof", "ablat", "erbium", "co2", "resurfacing",
]  # fmt: skip


def clinical_words():
    """The list above plus every word of each treatment's and the condition's title, from the content files."""
    words = set(CLINICAL_TERMS)
    for name in (content.CONDITION, *content.TREATMENTS):
        words |= {w.lower() for w in re.findall(r"[A-Za-z0-9-]{4,}", content.read(name)["title"])}
    return sorted(words)


def rendered_emails():
    """{name: (subject, text, html)} for every template, with the real content and real-looking context."""
    emails = {}
    token = "t" * 43
    for step in AftercareStep.objects.select_related("treatment").order_by("treatment__order", "day_offset"):
        emails[f"aftercare_step {step.treatment.slug} day {step.day_offset}"] = render_email(
            "aftercare_step", email_context(step, token)
        )
    patient = PatientFactory(name="Pat Example", email="pat@example.org")
    appointment = AppointmentFactory(patient=patient, practitioner=PractitionerFactory(name="Dr Test"))
    for name in ("booking_confirmed", "booking_rescheduled", "booking_cancelled", "booking_reminder"):
        emails[name] = render_email(name, booking_context(appointment, now=timezone.now()))
    # The waiting list's emails, from unsaved rows through the service's own context.
    entry = WaitlistEntry(
        patient=patient, consultation_type=appointment.consultation_type, latest_date=datetime.date(2027, 1, 29)
    )
    emails["waitlist_joined"] = render_email("waitlist_joined", waitlist_context(entry))
    offer = WaitlistOffer(
        entry=entry,
        practitioner=appointment.practitioner,
        starts_at=appointment.starts_at,
        expires_at=appointment.starts_at,
    )
    emails["waitlist_offer"] = render_email(
        "waitlist_offer",
        {**waitlist_context(entry), "offer": offer, "starts_at": offer.starts_at, "expires_at": offer.expires_at},
    )
    emails["test_message"] = render_email(
        "test_message",
        {"name": "Pat Example", "clinical": True, "help_levels": help_levels(), "link": "https://x.test/"},
    )
    emails["aftercare_concern"] = render_email("aftercare_concern", {"admin_url": "https://clinic.test/admin/x/"})
    emails["staff_alert"] = render_email("staff_alert", {"admin_url": "https://clinic.test/admin/x/", "outbox_id": 7})
    digest_items = [{"name": "Laser removal", "url": "https://clinic.test/admin/x/", "due": datetime.date(2027, 1, 4)}]
    emails["review_digest"] = render_email(
        "review_digest",
        {"sections": [{"title": "Overdue", "items": digest_items}], "checklist_url": "https://clinic.test/admin/c/"},
    )
    emails["server_error"] = render_email("server_error", {"error": "ValueError", "frames": [], "request": None})
    return emails


def flat(text):
    """As a preview pane shows it: invisible padding gone, whitespace collapsed."""
    text = re.sub("[\u034f\u200b\u200c\u200d\ufeff]", "", text)
    return " ".join(text.split())


def inbox_preview(subject, html):
    """Subject, then the preheader, then the visible body text, as a mail client strings them together."""
    doc = BeautifulSoup(html, "html.parser")
    preheader = doc.select_one("[data-preheader]")
    assert preheader is not None, "every HTML email has a preheader"
    preheader_text = preheader.get_text(" ")
    for hidden in doc.select("head, [data-preheader]"):
        hidden.decompose()
    return flat(f"{subject} {preheader_text} {doc.get_text(' ')}")[:PREVIEW_LENGTH]


def named(preview):
    lowered = preview.lower()
    return [word for word in clinical_words() if re.search(rf"\b{re.escape(word)}", lowered)]


def test_every_template_is_classified_as_a_patient_or_staff_email():
    names = {path.name.removesuffix(".subject.txt") for path in EMAILS.glob("*.subject.txt")}
    assert names == PATIENT_EMAILS | STAFF_EMAILS


def test_the_clinical_word_list_is_drawn_from_the_content():
    words = clinical_words()
    for expected in ("extraction", "laser", "dermabrasion", "excision", "milia", "wound"):
        assert expected in words


def test_no_patient_email_preview_names_a_treatment_condition_or_clinical_detail():
    problems = []
    emails = rendered_emails()
    for where, (subject, text, html) in emails.items():
        if where.split()[0] not in PATIENT_EMAILS:
            continue
        preview = inbox_preview(subject, html)
        text_start = flat(text)[:PREVIEW_LENGTH]
        for part, shown in (("inbox preview", preview), ("text part", text_start)):
            if named(shown):
                problems.append(f"{where} {part}: {named(shown)} in {shown!r}")
    assert not problems, "\n".join(problems)
    assert sum(1 for where in emails if where.startswith("aftercare_step")) == 23


def test_each_patient_email_has_its_own_neutral_preheader_first_in_both_parts():
    for where, (_subject, text, html) in rendered_emails().items():
        if where.split()[0] not in PATIENT_EMAILS:
            continue
        preheader = flat(BeautifulSoup(html, "html.parser").select_one("[data-preheader]").get_text())
        assert len(preheader) >= 30, where
        assert text.startswith(preheader), where  # the neutral first line of the text part


def test_the_check_catches_a_treatment_named_in_the_first_line():
    step = AftercareStep.objects.filter(treatment=TreatmentPage.objects.get(slug="laser")).first()
    step.body = "Your laser treatment today went well.\n\n" + step.body
    subject, text, html = render_email("aftercare_step", email_context(step, "t" * 43))
    assert "laser" in named(flat(text)[:PREVIEW_LENGTH])
