"""Aftercare: emails on the right local days with current content, check-ins, the patient's page, stopping."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from clinic.aftercare import concerns
from clinic.aftercare import services as aftercare
from clinic.aftercare.services import void_treatment_record
from clinic.lib import tokens
from clinic.mail import sending
from clinic.models import AftercareCheckIn, AftercareDelivery, AftercareLink, Outbox, Patient
from tests.clinic_fixtures import MONDAY
from tests.helpers import soup
from tests.review_fixtures import clinical_lead
from treatments import content, review
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
Status = Outbox.Status
SCHEDULES = {
    "extraction": [0, 1, 3, 7, 30],
    "laser": [0, 1, 3, 7, 30],
    "dermabrasion": [0, 1, 3, 7, 14, 30],
    "excision": [0, 1, 2, 3, 5, 7, 30],
}
CANARY_NAME = "CANARY-7f3a-name"
CANARY_NOTES = "CANARY-7f3a-notes"
CANARY_TREATMENT = "CANARY-7f3a-treatment"


def aftercare_rows(record, **filters):
    return list(
        Outbox.objects.filter(cause=aftercare.cause_of(record), kind=aftercare.KIND, **filters).order_by("send_after")
    )


def day_of(row):
    return row.aftercare_delivery.day_offset


def send(row, at, mailoutbox):
    """Send one aftercare row as the worker would at `at`; return the message."""
    assert sending.send_one(row.pk, now=at) == Status.SENT
    return mailoutbox[-1]


def token_in(message):
    return re.search(r"https://clinic\.test/aftercare/([A-Za-z0-9_-]{43,})/", message.body).group(1)


def utc(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Schedules ------------------------------------------------------------------


@pytest.mark.parametrize("slug", SCHEDULES)
def test_G2_each_treatment_schedules_its_steps_at_their_local_send_times(make_record, slug):
    record = make_record(slug)
    rows = aftercare_rows(record, status=Status.PENDING)
    assert [day_of(row) for row in rows] == SCHEDULES[slug]
    for row in rows:
        local = row.send_after.astimezone(LONDON)
        expected_time = datetime.time(18) if day_of(row) == 0 else datetime.time(9)
        assert local.date() == datetime.date(2026, 12, 7) + datetime.timedelta(days=day_of(row))
        assert local.time() == expected_time
        assert row.send_after.utcoffset() == datetime.timedelta(0)  # stored in UTC
        assert row.next_attempt_at == row.send_after
        assert row.category == Outbox.Category.AFTERCARE
        assert row.idempotency_key == f"aftercare:{record.pk}:{row.aftercare_delivery.step_id}"


@pytest.mark.parametrize("slug", SCHEDULES)
def test_G2_a_treatment_on_the_saturday_before_spring_forward_keeps_nine_oclock_local(make_record, slug):
    """Clocks go forward on Sunday 28 March 2027: 09:00 BST is 08:00 UTC from then on."""
    record = make_record(slug, performed_at=datetime.datetime(2027, 3, 27, 10, tzinfo=LONDON))
    rows = aftercare_rows(record)
    saturday = datetime.date(2027, 3, 27)
    expected = [utc(2027, 3, 27, 18)] + [
        datetime.datetime.combine(saturday + datetime.timedelta(days=d), datetime.time(8), UTC)
        for d in SCHEDULES[slug][1:]
    ]
    assert [row.send_after for row in rows] == expected
    assert {row.send_after.astimezone(LONDON).time() for row in rows[1:]} == {datetime.time(9)}


@pytest.mark.parametrize("slug", SCHEDULES)
def test_G2_a_treatment_on_the_saturday_before_fall_back_keeps_nine_oclock_local(make_record, slug):
    """Clocks go back on Sunday 31 October 2027: day 0 at 18:00 BST is 17:00 UTC, later days 09:00 GMT = 09:00 UTC."""
    record = make_record(slug, performed_at=datetime.datetime(2027, 10, 30, 10, tzinfo=LONDON))
    rows = aftercare_rows(record)
    saturday = datetime.date(2027, 10, 30)
    expected = [utc(2027, 10, 30, 17)] + [
        datetime.datetime.combine(saturday + datetime.timedelta(days=d), datetime.time(9), UTC)
        for d in SCHEDULES[slug][1:]
    ]
    assert [row.send_after for row in rows] == expected


def test_a_record_made_after_day_0s_send_time_sends_day_0_at_once(
    make_record, mailoutbox, django_capture_on_commit_callbacks
):
    late = datetime.datetime(2026, 12, 7, 19, 30, tzinfo=LONDON)
    with django_capture_on_commit_callbacks() as callbacks:
        record = make_record(now=late)
    day_0, day_1, *_ = aftercare_rows(record)
    assert day_0.send_after == late and day_of(day_0) == 0
    assert day_1.send_after == datetime.datetime(2026, 12, 8, 9, tzinfo=LONDON)
    assert len(callbacks) == 1  # handed to a worker at commit, not left for tomorrow
    assert "DAY OF YOUR TREATMENT" in send(day_0, late, mailoutbox).body


def test_when_several_steps_have_passed_only_the_latest_goes_at_once(make_record, mailoutbox):
    """Recorded on day 4: day 3 goes now; days 0 and 1 are on the page its link opens, not a burst of stale emails."""
    now = datetime.datetime(2026, 12, 11, 10, tzinfo=LONDON)
    record = make_record(now=now)
    rows = aftercare_rows(record)
    assert [day_of(row) for row in rows] == [3, 7, 30]
    assert rows[0].send_after == now
    token = token_in(send(rows[0], now, mailoutbox))
    with time_machine.travel(now, tick=False):
        page = Client().get(f"/aftercare/{token}/")
    assert [h.get_text(" ", strip=True).split(" (")[0] for h in soup(page).select("#so-far-heading ~ article h3")] == [
        "Checking how your skin is healing",
        "The day after your treatment",
        "Day of your treatment",
    ]


def test_starting_twice_queues_each_step_once(make_record):
    record = make_record()
    aftercare.start_programme(record, now=MONDAY)
    assert len(aftercare_rows(record)) == 5
    assert AftercareDelivery.objects.filter(record=record).count() == 5


def test_no_aftercare_is_scheduled_for_a_voided_record(make_record):
    record = make_record()
    void_treatment_record(record=record, reason="Wrong patient", now=MONDAY)
    record.refresh_from_db()
    aftercare.start_programme(record, now=MONDAY)
    assert aftercare_rows(record, status=Status.PENDING) == []


# --- Current content and versions --------------------------------------------------


def test_editing_a_step_after_scheduling_sends_the_new_version_and_records_it(make_record, mailoutbox):
    record = make_record()
    step = AftercareStep.objects.get(treatment=record.treatment, day_offset=1)
    assert step.version == 1
    step.body = "Corrected advice: keep the area clean and dry."
    step.save()
    step.save()  # saving without a change is not a new version
    step.refresh_from_db()
    assert step.version == 2
    review.sign_off(step, user=clinical_lead(), now=MONDAY)  # the correction is signed off, or it is held
    row = aftercare_rows(record)[1]
    message = send(row, datetime.datetime(2026, 12, 8, 9, tzinfo=LONDON), mailoutbox)
    assert "Corrected advice: keep the area clean and dry." in message.body
    assert "Corrected advice" in message.alternatives[0].content
    delivery = AftercareDelivery.objects.get(record=record, step=step)
    assert (delivery.version, delivery.outbox_id) == (2, row.pk)
    row.refresh_from_db()
    assert "Corrected advice" in row.body_text  # the admin shows what was sent
    assert aftercare.LINK_PLACEHOLDER in row.body_text and token_in(message) not in row.body_text


def test_a_step_made_inactive_after_scheduling_is_not_sent(make_record, mailoutbox):
    record = make_record()
    AftercareStep.objects.filter(treatment=record.treatment, day_offset=1).update(active=False)
    row = aftercare_rows(record)[1]
    assert sending.send_one(row.pk, now=datetime.datetime(2026, 12, 8, 9, tzinfo=LONDON)) == Status.CANCELLED
    assert mailoutbox == []


def test_placeholders_in_a_step_are_filled_from_settings(make_record, mailoutbox, settings):
    settings.CLINIC_URGENT_PHONE = "07700 900123"
    record = make_record()
    AftercareStep.objects.filter(treatment=record.treatment, day_offset=0).update(
        body="Call {urgent_phone} or {emergency_number}. Braces {like this} stay."
    )
    review.sign_off(
        AftercareStep.objects.get(treatment=record.treatment, day_offset=0), user=clinical_lead(), now=MONDAY
    )
    message = send(aftercare_rows(record)[0], datetime.datetime(2026, 12, 7, 18, tzinfo=LONDON), mailoutbox)
    assert f"Call 07700 900123 or {settings.CLINIC_EMERGENCY_NUMBER}. Braces {{like this}} stay." in message.body


# --- The email -----------------------------------------------------------------------


def test_an_aftercare_email_has_a_generic_subject_the_days_text_help_levels_and_check_in_links(
    make_record, mailoutbox, settings
):
    record = make_record()
    rows = aftercare_rows(record)
    message = send(rows[0], datetime.datetime(2026, 12, 7, 18, tzinfo=LONDON), mailoutbox)
    assert message.subject == f"A message from {settings.CLINIC_NAME}"
    assert "DAY OF YOUR TREATMENT" in message.body and "Leave the spots alone." in message.body
    assert "EMERGENCY:" in message.body  # day 0 carries all three levels
    token = token_in(message)
    for path in (f"/aftercare/{token}/", f"/aftercare/{token}/check-in/ok/", f"/aftercare/{token}/check-in/worried/"):
        assert f"https://clinic.test{path}" in message.body
        assert f'href="https://clinic.test{path}"' in message.alternatives[0].content
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = AftercareLink.objects.get(record=record)
    assert link.token_hash == tokens.digest(token) and token not in str(link.__dict__)
    day_7 = send(rows[3], datetime.datetime(2026, 12, 14, 9, tzinfo=LONDON), mailoutbox)
    assert "EMERGENCY:" not in day_7.body and "URGENT ADVICE:" in day_7.body  # day 7: contact + advice only


def test_H1_no_treatment_name_notes_or_patient_name_in_any_aftercare_email_subject_or_header(
    make_record, patient, mailoutbox, settings
):
    """H1 canaries: every step of every treatment, and the clinic's concern notice."""
    Patient.objects.filter(pk=patient.pk).update(name=CANARY_NAME)
    patient.refresh_from_db()
    TreatmentPage.objects.update(title=CANARY_TREATMENT)
    allowed = re.compile(rf"^A message from {re.escape(settings.CLINIC_NAME)}$")
    later = datetime.datetime(2027, 3, 1, tzinfo=UTC)
    for slug in SCHEDULES:
        record = make_record(slug, notes=CANARY_NOTES)
        for row in aftercare_rows(record):
            message = send(row, later, mailoutbox).message()
            assert allowed.fullmatch(message["Subject"])
            headers = " ".join(f"{k}: {v}" for k, v in message.items())
            assert "CANARY" not in headers
            assert "CANARY" not in message.as_string()  # nor in the body
    link = AftercareLink.objects.first()
    aftercare.check_in(link=link, feeling="worried", message=CANARY_NOTES, now=later)
    notice = Outbox.objects.get(kind=concerns.KIND)
    assert "CANARY" not in notice.subject + notice.body_text + notice.body_html


# --- Check-ins --------------------------------------------------------------------


@pytest.fixture
def emailed(make_record, mailoutbox):
    """A record whose day-0 email went out; returns (record, token)."""
    record = make_record()
    message = send(aftercare_rows(record)[0], datetime.datetime(2026, 12, 7, 18, tzinfo=LONDON), mailoutbox)
    return record, token_in(message)


def test_D3_a_check_in_get_changes_nothing_and_post_records_it(emailed):
    record, token = emailed
    browser = Client()
    for _ in range(3):  # mail scanners prefetch links
        page = browser.get(f"/aftercare/{token}/check-in/ok/")
        assert page.status_code == 200
    assert page["Referrer-Policy"] == "strict-origin" and "no-store" in page["Cache-Control"]
    assert not AftercareCheckIn.objects.exists()
    response = browser.post(f"/aftercare/{token}/check-in/ok/")
    assert response.status_code == 302 and response["Location"] == "/aftercare/done/"
    answer = AftercareCheckIn.objects.get()
    assert (answer.record, answer.step.day_offset, answer.feeling) == (record, 0, "ok")
    assert not Outbox.objects.filter(kind=concerns.KIND).exists()
    assert "Thank you" in browser.get("/aftercare/done/").content.decode()


def test_a_worry_creates_a_concern_tells_the_clinic_and_shows_the_help_block_and_phone(emailed, settings):
    record, token = emailed
    browser = Client()
    form = browser.get(f"/aftercare/{token}/check-in/worried/")
    assert "When to get help" in form.content.decode()  # before they even send it
    response = browser.post(f"/aftercare/{token}/check-in/worried/", {"message": "It is red and hot."}, follow=True)
    concern = AftercareCheckIn.objects.get()
    assert (concern.feeling, concern.message, concern.record, concern.handled_at) == (
        "worried",
        "It is red and hot.",
        record,
        None,
    )
    assert list(AftercareCheckIn.objects.concerns().filter(handled_at__isnull=True)) == [concern]
    page = response.content.decode()
    assert response.redirect_chain == [("/aftercare/done/", 302)]
    assert "When to get help" in page and settings.CLINIC_PHONE in page
    assert settings.CLINIC_EMERGENCY_NUMBER in page
    notice = Outbox.objects.get(kind=concerns.KIND)
    assert notice.recipient == settings.CLINIC_CLINICAL_EMAIL
    assert notice.subject == f"{settings.CLINIC_NAME}: a patient has asked for a call back"
    assert f"https://clinic.test/admin/clinic/aftercarecheckin/{concern.pk}/change/" in notice.body_text
    for private in ("red and hot", "Pat Example", record.treatment.title, "pat@example.org"):
        assert private not in notice.subject + notice.body_text + notice.body_html


def test_an_unknown_feeling_is_a_404(emailed):
    _, token = emailed
    assert Client().post(f"/aftercare/{token}/check-in/fine/").status_code == 404
    assert not AftercareCheckIn.objects.exists()


def test_D2_aftercare_token_failures_all_get_the_same_404_and_change_nothing(emailed, make_record, patient):
    record, token = emailed
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    expired_at = AftercareLink.objects.get().expires_at + datetime.timedelta(seconds=1)
    not_found = Client().get("/aftercare/" + "x" * 43 + "/").content

    def fails(token, *, at=None):
        with time_machine.travel(at or datetime.datetime(2026, 12, 8, 12, tzinfo=UTC), tick=False):
            browser = Client()
            responses = [
                browser.get(f"/aftercare/{token}/"),
                browser.get(f"/aftercare/{token}/check-in/ok/"),
                browser.post(f"/aftercare/{token}/check-in/worried/", {"message": "x"}),
            ]
        return all(r.status_code == 404 and r.content == not_found for r in responses)

    assert fails("not-a-real-token")
    assert fails(tampered)
    assert fails(token, at=expired_at)
    assert not fails(token, at=expired_at - datetime.timedelta(minutes=1))  # the control: it does work before
    AftercareCheckIn.objects.all().delete()
    void_treatment_record(record=record, reason="Entered in error", now=MONDAY)
    assert fails(token)
    assert not AftercareCheckIn.objects.exists()


def test_D5_an_aftercare_token_reaches_only_its_own_record(make_record, practitioner, mailoutbox):
    mine = make_record("extraction")
    theirs_patient = Patient.objects.create(name="Sam Other", email="sam@example.org", phone="+447911000000")
    theirs = make_record("excision", patient=theirs_patient)
    at = datetime.datetime(2026, 12, 7, 18, tzinfo=LONDON)
    token = token_in(send(aftercare_rows(mine)[0], at, mailoutbox))
    with time_machine.travel(at, tick=False):
        page = Client().get(f"/aftercare/{token}/", {"record": theirs.pk}).content.decode()
        Client().post(f"/aftercare/{token}/check-in/ok/", {"record": theirs.pk})
    assert "extraction" in page.lower() and "excision" not in page.lower()
    assert list(AftercareCheckIn.objects.values_list("record", flat=True)) == [mine.pk]


# --- The patient's page ---------------------------------------------------------------


def test_the_aftercare_page_shows_the_instructions_so_far_and_what_comes_next(emailed, django_assert_max_num_queries):
    _, token = emailed
    day_3 = datetime.datetime(2026, 12, 10, 12, tzinfo=LONDON)
    with time_machine.travel(day_3, tick=False), django_assert_max_num_queries(8):
        response = Client().get(f"/aftercare/{token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin" and "no-store" in response["Cache-Control"]
    page = soup(response)
    past = [h.get_text(" ", strip=True) for h in page.select("#so-far-heading ~ article h3")]
    assert [p.split(" (")[0] for p in past] == [
        "Checking how your skin is healing",
        "The day after your treatment",
        "Day of your treatment",
    ]
    assert "Leave the spots alone." in page.get_text()  # day 0's instructions in full
    coming = [li.get_text(" ", strip=True) for li in page.select("#coming-heading + ul li")]
    assert coming == [
        "Monday 14 December: One week after your treatment",
        "Wednesday 6 January: One month after your treatment",
    ]
    assert page.find(id="help-heading") and "unsubscribed" not in page.get_text()


# --- Stopping ---------------------------------------------------------------------


def test_voiding_the_record_cancels_its_pending_steps_but_not_what_was_sent(emailed):
    record, _ = emailed
    void_treatment_record(record=record, reason="Entered in error", now=MONDAY)
    statuses = [row.status for row in aftercare_rows(record)]
    assert statuses == [Status.SENT] + [Status.CANCELLED] * 4


def test_unsubscribing_cancels_pending_steps_and_the_page_says_so(emailed, mailoutbox):
    record, token = emailed
    unsubscribe = mailoutbox[-1].extra_headers["List-Unsubscribe"].strip("<>")
    assert Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    rows = aftercare_rows(record)
    assert [row.status for row in rows] == [Status.SENT] + [Status.CANCELLED] * 4
    assert {row.last_error for row in rows[1:]} == {"Unsubscribed"}
    with time_machine.travel(datetime.datetime(2026, 12, 8, 12, tzinfo=UTC), tick=False):
        page = Client().get(f"/aftercare/{token}/").content.decode()
    assert "You have unsubscribed from aftercare emails" in page


def test_erasing_the_patient_stops_the_programme_and_its_links(emailed, patient):
    """What the erasure (issue 6) calls for each of the patient's records."""
    record, token = emailed
    Patient.objects.filter(pk=patient.pk).update(erased_at=MONDAY)
    assert aftercare.stop_programme(record, reason="Patient erased", now=MONDAY) == 4
    assert {row.status for row in aftercare_rows(record)[1:]} == {Status.CANCELLED}
    assert Client().get(f"/aftercare/{token}/").status_code == 404


def test_a_row_of_a_stopped_programme_that_was_already_claimed_is_not_sent(make_record, mailoutbox):
    record = make_record()
    row = aftercare_rows(record)[0]
    type(record).objects.filter(pk=record.pk).update(voided_at=MONDAY)  # voided while a worker held the row
    assert sending.send_one(row.pk, now=datetime.datetime(2026, 12, 7, 18, tzinfo=LONDON)) == Status.CANCELLED
    assert mailoutbox == []


# --- Content and the admin ---------------------------------------------------------


def test_the_initial_steps_are_loaded_once():
    # That they are loaded awaiting review: tests/treatments/test_content.py (the tests' copy is signed off).
    steps = AftercareStep.objects.select_related("treatment")
    by_treatment = {}
    for step in steps:
        by_treatment.setdefault(step.treatment.slug, []).append(step.day_offset)
    assert by_treatment == SCHEDULES
    assert steps.count() == 23
    in_files = sum(len(content.read(slug).get("aftercare_steps", [])) for slug in content.TREATMENTS)
    assert in_files == 23  # every step in treatments/content/*.toml, loaded once


def staff(django_user_model, username, *codenames):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = django_user_model.objects.create_user(username, password="a-long-enough-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    session = client.session  # signed in with a one-time code, as the admin requires
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True).persistent_id
    session.save()
    return client


def test_a_concern_is_visible_to_clinicians_and_not_to_content_editors(emailed, django_user_model, settings):
    record, _ = emailed
    concern = AftercareCheckIn.objects.create(
        record=record, feeling="worried", message="CANARY-7f3a-worry", created_at=MONDAY
    )
    admin = "/" + settings.ADMIN_URL
    clinician = staff(
        django_user_model, "clinician", "view_concern", "view_aftercarecheckin", "change_aftercarecheckin"
    )
    editor = staff(django_user_model, "editor", "view_aftercarestep", "change_aftercarestep", "add_aftercarestep")
    half = staff(django_user_model, "half", "view_aftercarecheckin")  # the model permission without view_concern
    listing = clinician.get(f"{admin}clinic/aftercarecheckin/")
    assert listing.status_code == 200 and "Pat Example" in listing.content.decode()
    detail = clinician.get(f"{admin}clinic/aftercarecheckin/{concern.pk}/change/").content.decode()
    assert "CANARY-7f3a-worry" in detail and "+447911123456" in detail
    for outsider in (editor, half):
        assert outsider.get(f"{admin}clinic/aftercarecheckin/").status_code == 403
        page = outsider.get(f"{admin}clinic/aftercarecheckin/{concern.pk}/change/")
        assert page.status_code in (302, 403, 404) and b"CANARY-7f3a-worry" not in page.content
    assert "Aftercare check-ins" not in editor.get(admin).content.decode()
    clinician.post(
        f"{admin}clinic/aftercarecheckin/",
        {"action": "mark_handled", "_selected_action": [concern.pk]},
    )
    concern.refresh_from_db()
    assert concern.handled_at is not None and concern.handled_by.username == "clinician"
    assert not AftercareCheckIn.objects.concerns().filter(handled_at__isnull=True).exists()


def test_editors_list_steps_per_treatment_and_edit_one_with_its_version(django_user_model, settings):
    admin = "/" + settings.ADMIN_URL
    editor = staff(django_user_model, "editor", "view_aftercarestep", "change_aftercarestep")
    laser = TreatmentPage.objects.get(slug="laser")
    listing = editor.get(f"{admin}treatments/aftercarestep/", {"treatment__id__exact": laser.pk})
    rows = soup(listing).select("#result_list tbody tr")
    assert len(rows) == 5
    assert "Signed off" in rows[0].get_text(" ")
    step = AftercareStep.objects.get(treatment=laser, day_offset=3)
    page = editor.get(f"{admin}treatments/aftercarestep/{step.pk}/change/").content.decode()
    for field in ("day_offset", "send_time", "title", "body", "help_levels", "active"):
        assert f'name="{field}"' in page, field
    assert 'name="reviewed_by"' not in page  # a sign-off is made by a clinician's action, not typed
    assert "{urgent_phone}" in page  # the help text lists the placeholders
    data = {
        "treatment": laser.pk,
        "day_offset": 3,
        "send_time": "09:00",
        "title": step.title,
        "body": step.body + "\n\nA new line.",
        "help_levels": step.help_levels,
        "active": "on",
        "reviewed_by": "",
        "reviewed_on": "",
        "next_review_due": "",
    }
    assert editor.post(f"{admin}treatments/aftercarestep/{step.pk}/change/", data).status_code == 302
    step.refresh_from_db()
    assert step.version == 2 and step.body.endswith("A new line.")
    assert step.awaiting_review  # the edit sent it back for review
