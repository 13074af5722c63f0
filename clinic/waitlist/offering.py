"""The beat task's work: tidy the list, then offer each free time to the waiting patients it suits, oldest first.

Free times come from the booking engine itself (clinic.booking.schedule), so every way a time
frees up — a cancellation or move by patient or clinic, longer working hours, a closure lifted —
is seen without a hook. An offer is made at most once per time and patient (a unique
constraint), to at most WAITLIST_OFFER_BATCH patients at once, and never in the quiet hours.
An offered time is not hidden from online booking: the first to book it gets it.
"""

import datetime
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q

from ..booking import schedule
from ..lib import clock
from ..models import Appointment, WaitlistEntry, WaitlistOffer
from . import matching
from . import services as waitlist

logger = logging.getLogger(__name__)

Status = WaitlistEntry.Status
OfferStatus = WaitlistOffer.Status


def quiet_hours() -> tuple[datetime.time, datetime.time]:
    """WAITLIST_QUIET_HOURS ("20:00-08:00") as two local times; a malformed value stops the task loudly."""
    start, _, end = settings.WAITLIST_QUIET_HOURS.partition("-")
    try:
        return datetime.time.fromisoformat(start.strip()), datetime.time.fromisoformat(end.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"WAITLIST_QUIET_HOURS must look like 20:00-08:00, not {settings.WAITLIST_QUIET_HOURS!r}"
        ) from None


def is_quiet(now: datetime.datetime) -> bool:
    start, end = quiet_hours()
    return matching.in_quiet_hours(now, start=start, end=end, tz=clock.clinic_tz())


def tidy(*, now: datetime.datetime) -> None:
    """Offers past their hold expire; patients past their latest date, or who booked that type since joining, leave."""
    WaitlistOffer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).update(status=OfferStatus.EXPIRED)
    waiting = WaitlistEntry.objects.waiting()
    for entry in waiting.filter(latest_date__lt=clock.today(now)):
        waitlist.leave(entry=entry, now=now, status=Status.EXPIRED)
    booked_since = Appointment.objects.active().filter(
        patient=OuterRef("patient"),
        consultation_type=OuterRef("consultation_type"),
        created_at__gte=OuterRef("joined_at"),
    )
    for entry in waiting.filter(Exists(booked_since)):
        waitlist.leave(entry=entry, now=now, status=Status.BOOKED)


def wish_of(entry: WaitlistEntry) -> matching.Wish:
    return matching.Wish(
        consultation_type=entry.consultation_type_id,
        practitioner=entry.practitioner_id,
        weekdays=entry.weekday_numbers,
        parts=entry.time_parts,
        latest_date=entry.latest_date,
    )


def make_offers(*, now: datetime.datetime) -> int:
    """Tidy the list, then make the offers due now; return how many were made."""
    tidy(now=now)
    if is_quiet(now):
        return 0
    tz = clock.clinic_tz()
    rules = schedule.booking_rules()
    hold = datetime.timedelta(minutes=settings.WAITLIST_OFFER_HOLD_MINUTES)
    today = clock.today(now)
    entries = list(WaitlistEntry.objects.waiting().select_related("consultation_type").oldest_first())
    if not entries:
        return 0
    offers = WaitlistOffer.objects.filter(entry__status=Status.WAITING)
    offered = defaultdict(set)  # (practitioner, start) -> entries already offered it, whatever they said
    for entry_id, practitioner_id, starts_at in offers.values_list("entry_id", "practitioner_id", "starts_at"):
        offered[(practitioner_id, starts_at)].add(entry_id)
    open_offers = list(offers.filter(status=OfferStatus.OPEN))
    holding = Counter((o.practitioner_id, o.starts_at) for o in open_offers)
    busy = {o.entry_id for o in open_offers}  # one open offer per patient at a time

    by_type: dict[int, list[WaitlistEntry]] = defaultdict(list)
    for entry in entries:
        by_type[entry.consultation_type_id].append(entry)
    made = 0
    for group in by_type.values():
        kind = group[0].consultation_type
        last_day = min(max(e.latest_date for e in group), today + datetime.timedelta(days=rules.horizon_days))
        slots = schedule.free_slots(consultation_type=kind, first_day=today, last_day=last_day, now=now)
        free = {(s.practitioner.pk, s.start) for s in slots}
        # An open offer whose time is no longer free (booked meanwhile, a closure added) is taken.
        mine = {e.pk for e in group}
        gone = [o.pk for o in open_offers if o.entry_id in mine and (o.practitioner_id, o.starts_at) not in free]
        WaitlistOffer.objects.filter(pk__in=gone, status=OfferStatus.OPEN).update(status=OfferStatus.TAKEN)
        busy -= {o.entry_id for o in open_offers if o.pk in gone}
        wishes = [(e.pk, wish_of(e)) for e in group]
        by_id = {e.pk: e for e in group}
        for slot in slots:
            key = (slot.practitioner.pk, slot.start)
            room = settings.WAITLIST_OFFER_BATCH - holding[key]
            expires = matching.offer_expiry(now=now, slot_start=slot.start, hold=hold, cutoff=rules.min_notice)
            if room <= 0 or expires is None:
                continue
            candidate = matching.FreeSlot(kind.pk, slot.practitioner.pk, slot.start)
            for entry_id in matching.next_in_line(wishes, candidate, tz, skip=busy | offered[key], room=room):
                if _offer(by_id[entry_id], slot, expires=expires, now=now):
                    busy.add(entry_id)
                    offered[key].add(entry_id)
                    holding[key] += 1
                    made += 1
    if made:
        logger.info("waiting list: %s offer(s) made", made)
    return made


def _offer(
    entry: WaitlistEntry, slot: schedule.PractitionerSlot, *, expires: datetime.datetime, now: datetime.datetime
) -> bool:
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                entry=entry, practitioner=slot.practitioner, starts_at=slot.start, offered_at=now, expires_at=expires
            )
            waitlist.queue_offer_email(offer, now=now)
    except IntegrityError:  # another run offered it a moment ago
        return False
    return True


def figures(*, now: datetime.datetime) -> dict[str, int]:
    """The dashboard's numbers: patients waiting, and times filled from the list this month (clinic time)."""
    today = clock.today(now)
    month_start = clock.at(today.replace(day=1), datetime.time())
    counts = WaitlistOffer.objects.aggregate(
        filled=Count("pk", filter=Q(status=OfferStatus.ACCEPTED, answered_at__gte=month_start))
    )
    return {"waiting": WaitlistEntry.objects.waiting().count(), "filled_this_month": counts["filled"]}
