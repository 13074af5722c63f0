"""Finding a patient by name, email or a phone number typed in any format: one rule for every search box.

`patient_q` is that rule; the desk (`patients_matching`), the patients list and the appointments
list (`PatientSearchMixin`) all use it, the appointments list also finding a booking reference.
Every part of it is answered by an index on PostgreSQL, so a search costs the same with years of
history: `pg_trgm` GIN indexes on `UPPER(name)`, `UPPER(email)` (a word anywhere in them) and
`phone` (part of a number), a B-tree on `phone` (a whole number, matched exactly in E.164) and
the unique index on the reference (matched exactly). Appointments are found through the patients
matched (`patient_id IN (…)`), never by a join that would make PostgreSQL read every appointment.
"""

import re

from django.db.models import Q, QuerySet

from ..lib.phones import InvalidPhone, normalise_phone, phone_search_variants
from ..models import Patient

# A word that can only be (part of) a phone number: digits, perhaps after "+".
_NUMBER_WORD = re.compile(r"\+?\d+")
# What people type inside a booking reference read out on the phone: spaces and dashes.
_REFERENCE_SEPARATORS = re.compile(r"[\s\-]+")
_REFERENCE = re.compile(r"[A-Z0-9]{1,12}")


def phone_q(query: str) -> Q | None:
    """Rows whose stored number matches the number typed, in national or international format; or None.

    A whole number (07911 123456, +44 7911 123456, 0044 7911 123456) is matched exactly on its E.164
    form, as every readable number is stored; anything else phone-like ("123 456", or a number too
    short to be valid) is looked for inside the stored numbers, as typed and without a national 0.
    """
    variants = phone_search_variants(query)
    if not variants:
        return None
    try:
        return Q(phone=normalise_phone(variants[0]))
    except InvalidPhone:
        pass
    q = Q()
    for variant in variants:
        q |= Q(phone__contains=variant)
    return q


def patient_q(query: str) -> Q | None:
    """Patients whose name or email holds every word typed (a number word may be in the phone instead),
    or whose phone matches the number typed; None for a query with no words.
    """
    words = query.split()
    if not words:
        return None
    by_words = Q()
    for word in words:
        either = Q(name__icontains=word) | Q(email__icontains=word)
        if _NUMBER_WORD.fullmatch(word):
            either |= Q(phone__contains=word)
        by_words &= either
    phone = phone_q(query)
    return by_words | phone if phone else by_words


def patients_matching(query: str) -> QuerySet[Patient]:
    """Patients (not erased) found by `patient_q`; none for ''."""
    q = patient_q(query)
    if q is None:
        return Patient.objects.none()
    return Patient.objects.filter(q, erased_at__isnull=True)


def reference_q(query: str) -> Q | None:
    """The appointment whose booking reference is the one typed (any case, spaces or dashes inside); or None."""
    reference = _REFERENCE_SEPARATORS.sub("", query).upper()
    if not _REFERENCE.fullmatch(reference):
        return None
    return Q(reference=reference)


class PatientSearchMixin:
    """An admin list whose search box finds patients by `patient_q` (instead of Django's `search_fields`).

    `search_fields` still shows the box (and says what it searches); the SQL is `search_q`'s, a
    filter on the list's own table with no join, so a row is never listed twice. Django's way,
    `icontains` on each field ORed per word across the patient join, makes PostgreSQL read every row.
    """

    def search_q(self, search_term: str) -> Q | None:
        return patient_q(search_term)

    def get_search_results(self, request, queryset, search_term):
        q = self.search_q(search_term)
        if q is None:
            return queryset, False
        return queryset.filter(q), False
