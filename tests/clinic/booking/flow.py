"""A patient's way through the booking steps with the test client, for tests in any folder."""

from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

DETAILS = {
    "name": "Pat Example",
    "email": "pat@example.org",
    "phone": "07911 123456",
    "date_of_birth": "1990-05-17",
    "notes": "Three milia under my left eye.",
    "privacy_consent": "on",
}
ANSWERS = {
    "cold_sores": "yes",
    "isotretinoin": "no",
    "pregnant": "no",
    "keloid_scars": "not_sure",
    "blood_thinners": "no",
    "anaesthetic_allergy": "no",
}


def walk_to_review(client, slot=None, practitioner="any"):
    """Steps 1–4; returns the review page response."""
    slot = slot or at(TUESDAY, 10)
    response = client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": practitioner})
    assert response.status_code == 302, response.content
    assert client.post("/book/times/", {"slot": slot.isoformat()}).status_code == 302
    assert client.post("/book/details/", DETAILS)["Location"] == "/book/questions/"
    assert client.post("/book/questions/", ANSWERS)["Location"] == "/book/review/"
    return client.get("/book/review/")


def confirm(client, review_response):
    key = soup(review_response).find("input", attrs={"name": "idempotency_key"})["value"]
    return client.post("/book/review/", {"idempotency_key": key})
