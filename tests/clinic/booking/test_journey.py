"""Booking that explains itself: error summaries, specific messages, the notes limit, the summary panel."""

import pytest

from clinic.models import Patient
from tests.clinic.booking.flow import ANSWERS, DETAILS, walk_to_review
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

pytestmark = pytest.mark.django_db


def summary_links(response):
    box = soup(response).find(id="error-summary")
    assert box is not None, "no error summary"
    assert box.find(id="error-summary-title").get_text(strip=True) == "There is a problem"
    assert box["tabindex"] == "-1"
    return [(a["href"], a.get_text(strip=True)) for a in box.find_all("a")]


def test_an_empty_step_1_shows_what_to_choose(client, clinic_schedule):
    # The form's submit with no consultation chosen ("No preference" is checked from the start).
    response = client.get("/book/", {"step": "1", "practitioner": "any"})
    assert response.status_code == 200
    assert summary_links(response) == [("#id_consultation_type_0", "Choose a consultation type")]
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert page.find(id="id_consultation_type_0") is not None  # the link has a target
    assert page.find("script", src=lambda src: src and "error_summary" in src) is not None


@pytest.mark.parametrize(
    ("practitioner", "message"),
    [
        ("99999", "Choose one of the practitioners listed, or no preference"),  # no such practitioner
        ("9" * 30, "Choose one of the practitioners listed, or no preference"),  # not an id at all
        ("inactive", "Choose one of the practitioners listed, or no preference"),
        ("not offering", "That practitioner does not offer milia consultation: choose another, or no preference"),
    ],
)
def test_a_practitioner_who_cannot_be_booked_is_refused_with_a_reason(client, clinic_schedule, practitioner, message):
    from clinic.models import ConsultationType, Practitioner

    kind = ConsultationType.objects.get(slug="milia-consultation")
    if practitioner in ("inactive", "not offering"):
        row = Practitioner.objects.create(name="Dr New", active=practitioner == "not offering")
        if practitioner == "inactive":
            row.consultation_types.add(kind)
        practitioner = str(row.pk)
    response = client.get("/book/", {"consultation_type": kind.slug, "practitioner": practitioner})
    assert response.status_code == 200
    assert summary_links(response) == [("#id_practitioner_0", message)]
    assert "booking" not in client.session  # nothing kept from a refused choice


def test_a_page_without_errors_has_no_summary(client, clinic_schedule):
    assert soup(client.get("/book/")).find(id="error-summary") is None


def test_an_empty_time_step_links_to_the_times(client, now, clinic_schedule):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    response = client.post("/book/times/", {})
    assert summary_links(response) == [("#slot-times", "Choose a time")]
    assert soup(response).find(id="slot-times") is not None


def test_an_empty_details_step_says_what_each_field_needs(client, now, clinic_schedule):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    links = dict(summary_links(client.post("/book/details/", {})))
    assert links == {
        "#id_name": "Enter your full name",
        "#id_email": "Enter your email address, for example name@example.com",
        "#id_phone": "Enter your phone number, for example 07911 123456",
        "#id_date_of_birth": "Enter your date of birth, for example 31 3 1980",
        "#id_privacy_consent": "Tick the box to agree to the privacy notice, so we can book your appointment",
    }
    assert "This field is required" not in client.post("/book/details/", {}).content.decode()


def test_a_date_of_birth_typed_day_month_year_is_understood(client, now, clinic_schedule):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    assert client.post("/book/details/", {**DETAILS, "date_of_birth": "17 5 1990"}).status_code == 302
    assert client.session["booking"]["details"]["date_of_birth"] == "1990-05-17"


def test_a_5000_character_note_is_refused_with_a_message_not_cut(client, now, clinic_schedule):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    response = client.post("/book/details/", {**DETAILS, "notes": "a" * 5000})
    assert response.status_code == 200
    assert summary_links(response) == [
        (
            "#id_notes",
            "Your note is 5,000 characters long: shorten it to 2,000 characters or fewer"
            " (you can tell us more at your consultation)",
        )
    ]
    notes = soup(response).find("textarea", attrs={"name": "notes"})
    assert not notes.has_attr("maxlength")  # a browser would cut a paste silently
    assert notes["data-limit"] == "2000"  # the counter's limit (static/js/char_count.js)
    assert "Up to 2,000 characters." in response.content.decode()  # stated without JavaScript
    assert notes.get_text().strip() == "a" * 5000  # kept for the patient to shorten
    assert "details" not in client.session["booking"]
    assert client.post("/book/details/", {**DETAILS, "notes": "a" * 2000}).status_code == 302
    assert Patient.objects.count() == 0


def test_an_unanswered_question_names_the_question(client, now, clinic_schedule):
    walk_to_review(client)
    answers = {**ANSWERS}
    answers.pop("pregnant")
    links = summary_links(client.post("/book/questions/", answers))
    assert len(links) == 1
    anchor, message = links[0]
    assert anchor == "#id_pregnant_0"
    assert message.startswith("Answer the question “") and message.endswith("”: choose yes, no or not sure")


def panel(response):
    box = soup(response).find("aside", class_="booking-summary")
    assert box is not None, "no summary panel"
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in box.find_all("dt")}


def test_the_summary_panel_carries_the_treatment_and_choices_through_every_step(client, now, clinic_schedule):
    assert panel(client.get("/book/", {"treatment": "laser"})) == {"Treatment of interest": "Laser ablation"}
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any", "step": "1"})
    times = panel(client.get("/book/times/"))
    assert times == {
        "Treatment of interest": "Laser ablation",
        "Consultation": "Milia consultation (30 minutes)",
        "With": "The first available practitioner",
        "Price": "£95.00",
    }
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    assert panel(client.get("/book/details/"))["Time"] == "Tuesday 8 December 2026 at 10:00"
    client.post("/book/details/", DETAILS)
    assert panel(client.get("/book/questions/")) == {**times, "Time": "Tuesday 8 December 2026 at 10:00"}
    client.post("/book/questions/", ANSWERS)
    review = soup(client.get("/book/review/"))
    rows = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in review("dt")}
    assert rows["Treatment of interest"] == "Laser ablation"
    assert rows["Price"] == "£95.00"
    assert rows["Date of birth"] == "17 May 1990"
    assert "can't be changed online" not in rows["When"]


def test_treatment_pages_end_with_a_booking_call(client, clinic_schedule):
    page = soup(client.get("/treatments/laser/"))
    links = page.find("article").find_all("a", string="Book a consultation")
    assert len(links) == 2  # in the "at a glance" box (first on a phone) and at the end
    assert {link["href"] for link in links} == {"/book/?treatment=laser"}
    at_the_end = page.find(class_="booking-call")
    assert at_the_end.find("a", string="Book a consultation") is not None
    assert at_the_end.find_previous("h2", id="faq-heading") is not None  # after the questions
