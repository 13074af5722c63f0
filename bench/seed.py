"""The benchmark's data shapes: P practitioners and A appointments, most of them years of history.

History is written with one INSERT ... SELECT per practitioner (200,000 rows in seconds, where
the ORM takes minutes). Every shape has the same near future (what the time picker and the agenda look at), so a page's
cost at 2,000, 20,000 and 200,000 appointments shows what history alone costs.

Patients are one per three appointments, and every shape gives each of them about three: the
history goes round the patients in turn. Names and emails carry the patient's number, names at a
fixed width (`Amelia Okafor-000012`), so searching for one patient's name or email finds that
patient alone at every size: with `Okafor-12` the search also found `Okafor-12108`, `Okafor-12252`…
once there were 66,666 patients, and compared a page of 3 rows with one of 53.
"""

import datetime
import itertools

from django.conf import settings
from django.db import connection, transaction

from clinic.demo import WEEKLY_HOURS, load_demo_schedule
from clinic.lib import clock
from clinic.models import Appointment, ConsultationType, Patient, Practitioner, WorkingHours

FIRST = ["Amelia", "Noah", "Priya", "Oliver", "Mei", "Ahmed", "Sofia", "Tom", "Grace", "Lucy", "Daniel", "Hannah"]
LAST = ["Shah", "Okafor", "Desai", "Fletcher", "Lin", "Karimi", "Rossi", "Brennan", "Price", "Webb", "Grant", "Lee"]
HOURS = [datetime.time(h) for h in (9, 10, 11, 13, 14, 15, 16)]  # one booking an hour, inside the working hours
FUTURE_DAYS = 56
FUTURE_HOURS = (datetime.time(10), datetime.time(14))  # two bookings a weekday each in the next eight weeks


def practitioners(n: int) -> list[Practitioner]:
    kinds = load_demo_schedule()
    have = list(Practitioner.objects.order_by("pk"))
    new = [Practitioner(name=f"Dr Bench {i:02d}", title="Dermatologist") for i in range(len(have), n)]
    Practitioner.objects.bulk_create(new)
    for practitioner in new:
        practitioner.consultation_types.set(kinds)
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=p, weekday=day, start=start, end=end)
        for p in new
        for day in range(5)
        for start, end in WEEKLY_HOURS
    )
    return list(Practitioner.objects.order_by("pk"))[:n]


HISTORY = """
WITH days AS (
    SELECT d::date AS day FROM generate_series(%(yesterday)s::date, %(yesterday)s::date - %(span)s, '-1 day') d
    WHERE extract(isodow FROM d) < 6
), slots AS (
    SELECT (day + h) AT TIME ZONE %(tz)s AS starts_at, row_number() OVER (ORDER BY day DESC, h) - 1 AS n
    FROM days CROSS JOIN unnest(%(hours)s::time[]) AS h
), patients AS (SELECT array_agg(id ORDER BY id) AS ids FROM clinic_patient)
INSERT INTO clinic_appointment (
    reference, patient_id, practitioner_id, consultation_type_id, starts_at, ends_at, blocks_until, status,
    notes, given_name, given_phone, given_marketing_consent, details_to_confirm, privacy_notice_version,
    consented_at, created_at, sequence
)
SELECT 'H' || lpad(%(practitioner)s::text, 3, '0') || lpad(n::text, 8, '0'),
    ids[1 + (n * %(stride)s + %(slot)s) %% cardinality(ids)], %(practitioner)s, %(kind)s,
    starts_at, starts_at + %(duration)s, starts_at + %(blocks)s,
    CASE WHEN n %% 20 = 0 THEN 'no_show' ELSE 'attended' END,
    '', '', '', false, false, %(version)s, starts_at - interval '7 days', starts_at - interval '7 days', 0
FROM slots, patients WHERE n < %(count)s
"""


def _history(practitioner, kind, count, *, yesterday, slot, stride):
    """`count` past appointments for one practitioner, an hour apart on weekdays going back: one INSERT.

    The practitioner's n-th appointment is patient n x `stride` + `slot` (modulo the patients): with the
    practitioner's position as `slot` and their number as `stride`, the history goes round the patients in turn.
    """
    if count <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            HISTORY,
            {
                "yesterday": yesterday,
                "span": count // len(HOURS) * 7 // 5 + 14,
                "tz": str(clock.clinic_tz()),
                "hours": HOURS,
                "practitioner": practitioner.pk,
                "slot": slot,
                "stride": stride,
                "kind": kind.pk,
                "duration": kind.duration,
                "blocks": kind.duration + kind.buffer,
                "version": settings.PRIVACY_NOTICE_VERSION,
                "count": count,
            },
        )


def settle() -> None:
    """VACUUM ANALYZE what `load` committed, as autovacuum would have in production; outside a transaction.

    Otherwise autovacuum does both some 50 seconds after the seed (the new rows pass its thresholds:
    `load`'s own ANALYZE ran before they were committed, so it does not count), on one of the machine's
    two cores, while whichever page happens to be measured then.
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _weekdays(start: datetime.date, step: int):
    day = start
    while True:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=step)


def patient_name(i: int) -> str:
    """Patient i's name; the number at a fixed width, so no name holds another's (up to a million patients)."""
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}-{i:06d}"


def patient_email(i: int) -> str:
    return f"patient{i}@bench.example"


@transaction.atomic
def load(*, practitioners_count: int, appointments: int, now: datetime.datetime) -> dict[str, int]:
    """Practitioners, patients (one per three appointments) and appointments; returns the counts made."""
    people = practitioners(practitioners_count)
    kind = ConsultationType.objects.get(slug="milia-consultation")
    today = clock.today(now)
    future_each = min(len(FUTURE_HOURS) * 40, appointments // (4 * len(people)))
    history_each = appointments // len(people) - future_each
    patients = Patient.objects.bulk_create(
        (
            Patient(
                name=patient_name(i),
                email=patient_email(i),
                phone=f"+4477009{i % 100000:05d}",
            )
            for i in range(max(1, appointments // 3))
        ),
        batch_size=5000,
    )
    patient_cycle = itertools.cycle(patients)
    rows = []

    def add(practitioner, starts_at, status):
        ends_at = starts_at + kind.duration
        rows.append(
            Appointment(
                patient=next(patient_cycle),
                practitioner=practitioner,
                consultation_type=kind,
                starts_at=starts_at,
                ends_at=ends_at,
                blocks_until=ends_at + kind.buffer,
                status=status,
                privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
                consented_at=starts_at - datetime.timedelta(days=7),
            )
        )

    yesterday = today - datetime.timedelta(days=1)
    for slot, practitioner in enumerate(people):
        future = (
            clock.at(day, hour) for day in _weekdays(today + datetime.timedelta(days=1), 1) for hour in FUTURE_HOURS
        )
        for starts_at in itertools.islice(future, future_each):
            add(practitioner, starts_at, Appointment.Status.BOOKED)
        _history(practitioner, kind, history_each, yesterday=yesterday, slot=slot, stride=len(people))
    Appointment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "practitioners": len(people),
        "patients": len(patients),
        "appointments": Appointment.objects.count(),
    }
