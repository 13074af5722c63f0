"""The beat task's scan: a freed time goes to the oldest patient it suits, once, by email, never at night."""

import datetime

import pytest

from clinic.booking import services as booking
from clinic.models import Appointment, Outbox, WaitlistEntry, WaitlistOffer
from clinic.waitlist import offering
from clinic.waitlist import services as waitlist
from tests.clinic_fixtures import ANSWERS, NOW, TUESDAY, at, details

from .conftest import offer_token

pytestmark = pytest.mark.django_db

HOLD = datetime.timedelta(minutes=120)


def offer_emails():
    return Outbox.objects.filter(kind="waitlist_offer").exclude(status=Outbox.Status.CANCELLED)


@pytest.fixture
def freed_slot(full_tuesday_morning, now):
    """Dr Shah's full Tuesday morning, then the 10:30 appointment cancelled by the clinic."""
    appointment = next(a for a in full_tuesday_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=appointment, by_clinic=True, now=now)
    return at(TUESDAY, 10, 30)


def test_nothing_is_offered_while_nothing_suitable_is_free(join, full_tuesday_morning, now):
    join("older@example.org", days_ago=3)
    assert offering.make_offers(now=now) == 0
    assert not WaitlistOffer.objects.exists()


def test_a_cancellation_produces_exactly_one_offer_to_the_oldest_matching_patient(join, full_tuesday_morning, now):
    newer = join("newer@example.org", days_ago=1)
    older = join("older@example.org", days_ago=3)
    join("too-soon@example.org", days_ago=5, latest=NOW.date())  # older still, but could only come today
    assert offering.make_offers(now=now) == 0
    appointment = next(a for a in full_tuesday_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=appointment, by_clinic=False, now=now)

    assert offering.make_offers(now=now) == 1
    [offer] = WaitlistOffer.objects.all()
    assert (offer.entry, offer.starts_at, offer.status) == (older, at(TUESDAY, 10, 30), WaitlistOffer.Status.OPEN)
    assert offer.expires_at == now + HOLD
    [email] = offer_emails()
    assert email.recipient == "older@example.org"
    # Running again offers nothing more: the slot is held for the oldest, and nobody is offered twice.
    assert offering.make_offers(now=now) == 0
    assert WaitlistOffer.objects.count() == 1 and newer.offers.count() == 0


def test_an_expired_offer_moves_to_the_next_patient(join, freed_slot, now):
    older = join("older@example.org", days_ago=3)
    newer = join("newer@example.org", days_ago=1)
    assert offering.make_offers(now=now) == 1
    later = now + HOLD + datetime.timedelta(minutes=1)
    assert offering.make_offers(now=later) == 1

    first = older.offers.get()
    second = newer.offers.get()
    assert first.status == WaitlistOffer.Status.EXPIRED
    assert (second.starts_at, second.status, second.offered_at) == (freed_slot, WaitlistOffer.Status.OPEN, later)
    assert sorted(offer_emails().values_list("recipient", flat=True)) == ["newer@example.org", "older@example.org"]
    # When the last in line lets it pass too, the first is not asked again.
    assert offering.make_offers(now=later + HOLD + datetime.timedelta(minutes=1)) == 0


def test_a_batch_offers_the_time_to_several_at_once(join, freed_slot, now, settings):
    settings.WAITLIST_OFFER_BATCH = 2
    join("a@example.org", days_ago=3)
    join("b@example.org", days_ago=2)
    join("c@example.org", days_ago=1)
    assert offering.make_offers(now=now) == 2
    assert set(WaitlistOffer.objects.values_list("entry__patient__email", flat=True)) == {
        "a@example.org",
        "b@example.org",
    }


def test_an_offer_never_holds_past_the_booking_notice_before_the_time(join, freed_slot, now, settings):
    settings.WAITLIST_OFFER_HOLD_MINUTES = 600
    join("older@example.org", days_ago=3)
    evening = at(NOW.date(), 19)  # 15½ hours before 10:30 Tuesday; ten hours' hold would outlast the 12 hours' notice
    assert offering.make_offers(now=evening) == 1
    assert WaitlistOffer.objects.get().expires_at == at(TUESDAY, 10, 30) - datetime.timedelta(hours=12)


@pytest.mark.parametrize(
    ("moment", "offers"),
    [
        # Sunday 29 March 2026: 07:30 UTC is 08:30 BST after the clocks went forward, so offers go out…
        (datetime.datetime(2026, 3, 29, 7, 30, tzinfo=datetime.UTC), 1),
        # …while the same 07:30 UTC the day before was 07:30 GMT, inside the quiet hours.
        (datetime.datetime(2026, 3, 28, 7, 30, tzinfo=datetime.UTC), 0),
        # Sunday 25 October 2026: 07:30 UTC is 07:30 GMT after the clocks went back: still quiet…
        (datetime.datetime(2026, 10, 25, 7, 30, tzinfo=datetime.UTC), 0),
        # …and 19:30 UTC is 19:30 GMT, before the quiet hours start at 20:00.
        (datetime.datetime(2026, 10, 25, 19, 30, tzinfo=datetime.UTC), 1),
        # In summer 19:30 UTC is 20:30 BST: quiet.
        (datetime.datetime(2026, 10, 24, 19, 30, tzinfo=datetime.UTC), 0),
    ],
)
def test_offers_respect_the_quiet_hours_across_dst_changes(consultation, dr_shah, moment, offers):
    """A patient who would take any time: the only question is whether the clock on the clinic's wall says night."""
    wishes = waitlist.Wishes(
        consultation_type=consultation,
        practitioner=None,
        weekdays=range(7),
        times_of_day=("morning", "afternoon", "evening"),
        latest_date=moment.date() + datetime.timedelta(days=30),
    )
    waitlist.join(wishes=wishes, details=details(), now=moment - datetime.timedelta(days=1))
    assert offering.make_offers(now=moment) == offers


def test_accepting_books_through_the_booking_service_and_leaves_the_list(join, freed_slot, now):
    older = join("older@example.org", days_ago=3)
    offering.make_offers(now=now)
    offer = older.offers.get()
    appointment = waitlist.accept(offer=offer, answers=ANSWERS, now=now)
    assert (appointment.starts_at, appointment.practitioner_id) == (freed_slot, offer.practitioner_id)
    assert appointment.patient.email == "older@example.org"
    assert Outbox.objects.filter(kind="booking_confirmed", cause=booking.cause_of(appointment)).exists()
    offer.refresh_from_db()
    older.refresh_from_db()
    assert (offer.status, offer.appointment) == (WaitlistOffer.Status.ACCEPTED, appointment)
    assert older.status == WaitlistEntry.Status.BOOKED
    assert offering.figures(now=now) == {"waiting": 0, "filled_this_month": 1}
    with pytest.raises(waitlist.OfferGone):
        waitlist.accept(offer=offer, answers=ANSWERS, now=now)


def test_a_later_acceptor_gets_alternatives_and_keeps_their_place(join, freed_slot, now, settings):
    settings.WAITLIST_OFFER_BATCH = 2
    first = join("first@example.org", days_ago=3)
    second = join("second@example.org", days_ago=2)
    offering.make_offers(now=now)
    waitlist.accept(offer=first.offers.get(), answers=ANSWERS, now=now)
    with pytest.raises(booking.SlotUnavailable) as taken:  # the winner's booking closed the other offer at once
        waitlist.accept(offer=second.offers.get(), answers=ANSWERS, now=now)
    assert taken.value.alternatives and freed_slot not in [s.start for s in taken.value.alternatives]
    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.WAITING
    assert second.offers.get().status == WaitlistOffer.Status.TAKEN


def test_someone_booking_the_time_online_first_closes_the_offer(join, freed_slot, now, book, dr_shah):
    older = join("older@example.org", days_ago=3)
    offering.make_offers(now=now)
    book(freed_slot, dr_shah, details=details(email="quick@example.org"))
    with pytest.raises(booking.SlotUnavailable):
        waitlist.accept(offer=older.offers.get(), answers=ANSWERS, now=now)
    older.refresh_from_db()
    assert older.status == WaitlistEntry.Status.WAITING
    assert older.offers.get().status == WaitlistOffer.Status.TAKEN


def test_patients_leave_when_they_book_that_type_or_their_latest_date_passes(join, now, book, sam):
    booker = join("pat@example.org", days_ago=3, latest=TUESDAY + datetime.timedelta(days=30))
    lapsed = join("lapsed@example.org", days_ago=3, latest=NOW.date())
    staying = join("staying@example.org", days_ago=3, latest=TUESDAY + datetime.timedelta(days=30))
    book(at(TUESDAY, 14), sam)  # pat@example.org books it themselves
    offering.tidy(now=now + datetime.timedelta(days=1))
    statuses = dict(WaitlistEntry.objects.values_list("pk", "status"))
    assert statuses == {booker.pk: "booked", lapsed.pk: "expired", staying.pk: "waiting"}


def test_a_link_shows_the_place_and_an_offer_link_stops_when_the_offer_closes(join, freed_slot, now, client):
    older = join("older@example.org", days_ago=3)
    offering.make_offers(now=now)
    offer = older.offers.get()
    token = offer_token(offer)
    assert older.links.get().token_hash != token  # only the hash is kept
    assert token not in Outbox.objects.get(cause=waitlist.offer_cause(offer.pk)).body_text
    page = client.get(f"/waitlist/place/{token}/")
    assert page.status_code == 200 and "Take this time" in page.content.decode()
    assert page["Cache-Control"].startswith("no-store") and page["Referrer-Policy"] == "strict-origin"
    waitlist.leave(entry=older, now=now)
    assert client.get(f"/waitlist/place/{token}/").status_code == 404


def test_an_offer_email_whose_offer_closed_before_sending_is_withdrawn(join, freed_slot, now):
    from clinic.mail import sending

    older = join("older@example.org", days_ago=3)
    offering.make_offers(now=now)
    row = Outbox.objects.get(kind="waitlist_offer")
    assert sending.send_one(row.pk, now=now + HOLD + datetime.timedelta(minutes=1)) == Outbox.Status.CANCELLED
    assert not older.links.exists()


def test_emails_are_discreet(join, freed_slot, now, settings):
    """Subjects and the start of the text (what a phone's notification shows) name nothing clinical."""
    join("older@example.org", days_ago=3)
    offering.make_offers(now=now)
    for row in Outbox.objects.filter(kind__startswith="waitlist_"):
        opening = (row.subject + " " + row.body_text[:150]).replace(settings.CLINIC_NAME, "").lower()
        for word in ("milia", "consultation", "skin", "treatment", "dermat"):
            assert word not in opening, (row.kind, word)


def test_joining_again_does_not_change_the_place_and_emails_the_link_again(join, now):
    first = join("pat@example.org", days_ago=3)
    again = join("pat@example.org", days_ago=0, times=("evening",))
    assert again.pk == first.pk and again.time_parts == {"morning"}
    assert Outbox.objects.filter(kind="waitlist_joined", recipient="pat@example.org").count() == 2


def test_erasure_removes_the_patients_places(join, freed_slot, now):
    from clinic.staff.patient_data import erase_patient

    older = join("older@example.org", days_ago=3)
    offering.make_offers(now=now)
    erase_patient(patient=older.patient, now=now)
    assert not WaitlistEntry.objects.filter(pk=older.pk).exists()
    assert not WaitlistOffer.objects.exists()
    assert not Outbox.objects.filter(kind__startswith="waitlist_", status=Outbox.Status.PENDING).exists()


def test_the_scan_costs_a_fixed_number_of_queries(join, freed_slot, now, django_assert_max_num_queries):
    for n in range(20):
        join(f"p{n}@example.org", days_ago=3 + n % 5, latest=NOW.date())
    join("older@example.org", days_ago=30)
    with django_assert_max_num_queries(30):
        assert offering.make_offers(now=now) == 1
    assert not Appointment.objects.filter(patient__email="older@example.org").exists()


def test_a_lifted_closure_and_longer_hours_are_offered_without_any_hook(join, full_tuesday_morning, now, dr_shah):
    """The scan reads the diary as booking does, so any way a time frees up is seen."""
    from clinic.models import Closure, WorkingHours

    older = join("older@example.org", days_ago=3, weekdays=(2,), latest=TUESDAY + datetime.timedelta(days=1))
    closure = Closure.objects.create(
        practitioner=dr_shah, first_day=TUESDAY + datetime.timedelta(days=1), reason="Leave"
    )
    assert offering.make_offers(now=now) == 0
    closure.delete()
    assert offering.make_offers(now=now) == 1
    assert older.offers.get().starts_at == at(TUESDAY + datetime.timedelta(days=1), 9)

    evening = join("evening@example.org", days_ago=2, weekdays=(1,), times=("evening",))
    assert offering.make_offers(now=now) == 0
    WorkingHours.objects.create(practitioner=dr_shah, weekday=1, start=datetime.time(17), end=datetime.time(19))
    assert offering.make_offers(now=now) == 1
    assert evening.offers.get().starts_at == at(TUESDAY, 17)


def test_malformed_quiet_hours_stop_loudly(settings, now):
    from django.core.exceptions import ImproperlyConfigured

    settings.WAITLIST_QUIET_HOURS = "late"
    with pytest.raises(ImproperlyConfigured, match="WAITLIST_QUIET_HOURS"):
        offering.is_quiet(now)
