"""The search boxes (patients list, appointments list, the desk) find what people type, and PostgreSQL
answers them from indexes: trigram indexes for a word of a name or email and part of a number, the
phone B-tree for a whole number, the reference's unique index, the patient index on appointments.
"""

import datetime
import re

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from clinic.models import Appointment, ConsultationType, Patient, Practitioner
from clinic.staff.patient_search import patient_q, patients_matching, reference_q
from tests.clinic_fixtures import TUESDAY, at, details
from tests.helpers import soup

pytestmark = pytest.mark.django_db

# What a receptionist types for "Pat Example", pat@example.org, +447911123456.
FINDS_PAT = [
    "pat",
    "PAT@Example.ORG",
    "pat example",
    "pat@example.org",
    "07911 123456",
    "+44 7911 123456",
    "0044 7911 123456",
    "123 456",
    "pat 123456",
]


@pytest.fixture
def pat_and_other(book):
    """Pat with two appointments (never listed twice), and someone else."""
    first = book(at(TUESDAY, 10))
    second = book(at(TUESDAY, 15))
    other = book(at(TUESDAY, 11), details=details(name="Other Person", email="o@example.org", phone="+447700900123"))
    return first, second, other


def _appointment_refs(client, settings, typed):
    page = soup(client.get(f"/{settings.ADMIN_URL}clinic/appointment/", {"q": typed}))
    return [cell.get_text(strip=True) for cell in page.select("#result_list tbody td.field-reference")]


def _patient_names(client, settings, typed):
    page = soup(client.get(f"/{settings.ADMIN_URL}clinic/patient/", {"q": typed}))
    return [cell.get_text(strip=True) for cell in page.select("#result_list tbody th")]


@pytest.mark.parametrize("typed", FINDS_PAT)
def test_every_search_box_finds_pat_by_name_email_or_phone(reception, settings, pat_and_other, typed):
    first, second, _ = pat_and_other
    assert sorted(_appointment_refs(reception, settings, typed)) == sorted([first.reference, second.reference])
    assert _patient_names(reception, settings, typed) == ["Pat Example"]
    assert list(patients_matching(typed).values_list("name", flat=True)) == ["Pat Example"]


@pytest.mark.parametrize(
    "spelt", [str.upper, str.lower, lambda r: f" {r[:5].lower()} {r[5:]} ", lambda r: f"{r[:5]}-{r[5:]}"]
)
def test_the_appointments_list_finds_a_reference_in_either_case(reception, settings, pat_and_other, spelt):
    _, second, _ = pat_and_other
    assert _appointment_refs(reception, settings, spelt(second.reference)) == [second.reference]


def test_a_reference_is_matched_whole_and_words_must_all_match(reception, settings, pat_and_other):
    first, _, other = pat_and_other
    assert _appointment_refs(reception, settings, first.reference[:6]) == []
    assert _appointment_refs(reception, settings, "pat person") == []
    assert _appointment_refs(reception, settings, "other person") == [other.reference]
    assert reference_q("not a reference!") is None and patient_q("   ") is None


def test_a_whole_number_is_matched_exactly_and_part_of_one_inside(pat_and_other):
    """07911 12345 is too short to be anyone's number: it is looked for inside the stored numbers."""
    assert list(Patient.objects.filter(patient_q("07911 12345"))) == [pat_and_other[0].patient]
    assert not Patient.objects.filter(patient_q("07911 123457")).exists()  # valid, and nobody's


def test_a_search_never_counts_the_whole_table(reception, settings, pat_and_other):
    """ "2 results (Show all)", not "(3 total)": that total would read every appointment or patient."""
    for path in ("clinic/appointment/", "clinic/patient/"):
        with CaptureQueriesContext(connection) as queries:
            page = reception.get(f"/{settings.ADMIN_URL}{path}", {"q": "pat"})
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
        assert counts and all("WHERE" in sql for sql in counts), counts
        assert "Show all" in soup(page).select_one("#changelist-search").get_text()


def test_the_patients_list_counts_each_patients_appointments_without_joining_every_appointment(
    reception, settings, pat_and_other
):
    """A count per patient listed: a join and GROUP BY let PostgreSQL read the whole appointments table
    when it misjudged how many patients a search finds (the bench's 20,000-appointment shape did)."""
    with CaptureQueriesContext(connection) as queries:
        page = soup(reception.get(f"/{settings.ADMIN_URL}clinic/patient/", {"q": ""}))
    listed = [q["sql"] for q in queries if 'FROM "clinic_patient"' in q["sql"]]
    assert listed and not any(re.search(r'JOIN "clinic_appointment"', sql) for sql in listed), listed
    counts = {
        row.select_one("th").get_text(strip=True): row.select_one("td.field-appointment_count").get_text(strip=True)
        for row in page.select("#result_list tbody tr")
    }
    assert counts == {"Pat Example": "2", "Other Person": "1"}


def test_an_empty_search_lists_everyone_once(reception, settings, pat_and_other):
    assert len(_appointment_refs(reception, settings, "")) == 3
    assert sorted(_patient_names(reception, settings, "")) == ["Other Person", "Pat Example"]


# --- The plans: PostgreSQL reads indexes, not tables, with a few thousand rows -----------------

PATIENTS = 10_000


@pytest.fixture
def many_patients(on_postgres, pat_and_other):
    """10,000 more patients with three appointments each (one practitioner, an hour apart), analysed."""
    kind = ConsultationType.objects.first()
    practitioner = Practitioner.objects.first()
    people = Patient.objects.bulk_create(
        Patient(name=f"Many Person-{i}", email=f"many{i}@example.net", phone=f"+4479000{i:05d}")
        for i in range(PATIENTS)
    )
    start = datetime.datetime(2020, 1, 6, 9, tzinfo=datetime.UTC)
    Appointment.objects.bulk_create(
        Appointment(
            patient=person,
            practitioner=practitioner,
            consultation_type=kind,
            starts_at=start + datetime.timedelta(hours=n),
            ends_at=start + datetime.timedelta(hours=n, minutes=30),
            blocks_until=start + datetime.timedelta(hours=n, minutes=40),
            status=Appointment.Status.ATTENDED,
            privacy_notice_version="2026-11",
            consented_at=start,
        )
        for n, person in enumerate(people * 3)
    )
    with connection.cursor() as cursor:
        # No VACUUM: the trigram indexes are written at once (fastupdate off, migration 0011), so the
        # rows just added are in them, as they are in production between two autovacuums.
        cursor.execute("ANALYZE clinic_patient")
        cursor.execute("ANALYZE clinic_appointment")
    return pat_and_other


def _plan(user, model, typed):
    """The plan of the list's page for a search, the query the changelist itself makes (its filters and order)."""
    request = RequestFactory().get("/", {"q": typed})
    request.user = user
    changelist = site._registry[model].get_changelist_instance(request)
    assert changelist.queryset.query.distinct is False  # no row twice, without DISTINCT over the whole table
    sql, params = changelist.queryset[: changelist.list_per_page].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _reads(plan, index):
    return re.search(rf"Index Scan (using|on) {index}\b", plan)


# (search typed, the indexes its plan must read), on both lists.
INDEXED = [
    ("pat example", ["clinic_patient_name_trgm", "clinic_patient_email_trgm"]),
    ("pat@example.org", ["clinic_patient_email_trgm"]),
    ("07911 123456", ["clinic_patient_phone"]),
    ("+44 7911 123456", ["clinic_patient_phone"]),
    ("123 456", ["clinic_patient_phone_trgm"]),
]


@pytest.mark.postgres
def test_every_search_reads_the_indexes_not_the_tables(reception, many_patients):
    """One seeding (10,000 patients, 30,000 appointments) for every case: seeding is most of the cost."""
    for model in (Patient, Appointment):
        for typed, indexes in INDEXED:
            plan = _plan(reception.user, model, typed)
            for index in indexes:
                assert _reads(plan, index), (model, typed, plan)
            assert "Seq Scan" not in plan, (model, typed, plan)
            if model is Appointment:
                assert _reads(plan, "clinic_appointment_patient_id_[0-9a-f]+"), (typed, plan)
                # Not walking every appointment in date order, testing each against the search.
                assert not _reads(plan, "clinic_appointment_starts_at_[0-9a-f]+"), (typed, plan)
    with connection.cursor() as cursor:  # written at once, never waiting in a pending list (migration 0011)
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'clinic_patient_%%_trgm'")
        assert dict(cursor.fetchall()) == {
            f"clinic_patient_{field}_trgm": ["fastupdate=off"] for field in ("name", "email", "phone")
        }
    plan = _plan(reception.user, Appointment, many_patients[2].reference.lower())
    assert _reads(plan, "clinic_appointment_reference_[a-z0-9_]+") and "Seq Scan" not in plan, plan
    assert _reads(plan, "clinic_patient_name_trgm"), plan  # the same letters could be a word of a name
