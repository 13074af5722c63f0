"""The bench's searches compare like with like: at every size they find one patient, who has about
three appointments (bench/seed.py, bench/pages.py), so a search's growth with history is the search's.
"""

import datetime
from collections import Counter

import pytest
from django.db.models import Count

from bench import pages, seed
from clinic.models import Patient
from clinic.staff.patient_search import patient_q

# Patients in the biggest shape the bench could be given: a million appointments, five times the default.
PATIENTS = 1_000_000 // 3


def _found(typed: str, n: int) -> list[int]:
    """The seeded patients, of the first n, that `patient_q`'s words rule finds (every word in the name or email)."""
    words = typed.upper().split()
    return [
        i
        for i in range(n)
        if all(word in seed.patient_name(i).upper() or word in seed.patient_email(i).upper() for word in words)
    ]


@pytest.mark.parametrize("search", sorted(pages.SEARCHES))
def test_each_bench_search_finds_patient_12_alone_at_every_size(search):
    """`Amelia Okafor-12` also found Okafor-12108, -12252… (8 patients, 53 rows at 200,000 against 3 at 2,000)."""
    assert _found(pages.SEARCHES[search], PATIENTS) == [pages.SEARCHED]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_seed_gives_every_patient_about_three_appointments(on_postgres):
    """At 50 practitioners the history went to the first third of the patients only (about 7 each, the rest none)."""
    made = seed.load(
        practitioners_count=50, appointments=6000, now=datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC)
    )
    assert made == {"practitioners": 50, "patients": 2000, "appointments": 6000}
    per_patient = dict(Patient.objects.annotate(n=Count("appointments")).values_list("name", "n"))
    assert len(per_patient) == 2000 and set(per_patient.values()) <= {2, 3, 4}, Counter(per_patient.values())
    searched = Patient.objects.get(name=seed.patient_name(pages.SEARCHED))
    assert list(Patient.objects.filter(patient_q(pages.SEARCHES["name"]))) == [searched]
    assert list(Patient.objects.filter(patient_q(pages.SEARCHES["email"]))) == [searched]
