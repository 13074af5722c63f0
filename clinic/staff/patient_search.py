"""Finding a patient by name, email or a phone number typed in any format: one rule for every search box."""

from django.db.models import Q, QuerySet

from ..lib.phones import phone_search_variants
from ..models import Patient


def phone_q(query: str, field: str = "phone") -> Q | None:
    """Rows whose stored E.164 number matches the number typed, in national or international format; or None."""
    variants = phone_search_variants(query)
    if not variants:
        return None
    q = Q()
    for variant in variants:
        q |= Q(**{f"{field}__contains": variant})
    return q


def patients_matching(query: str) -> QuerySet[Patient]:
    """Patients whose name or email holds every word typed, or whose phone matches the number typed; none for ''."""
    words = query.split()
    if not words:
        return Patient.objects.none()
    by_words = Q()
    for word in words:
        by_words &= Q(name__icontains=word) | Q(email__icontains=word)
    phone = phone_q(query)
    return Patient.objects.filter(by_words | phone if phone else by_words, erased_at__isnull=True)


class PhoneSearchMixin:
    """An admin list whose search box also finds a phone number typed as people say it ("07911 123456").

    Django's own search splits the query into words and needs each word in some field, so a
    national number with a space never matches a stored +44 number; this adds the phone match.
    """

    phone_search_field = "phone"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_q(search_term, self.phone_search_field)
        if phone is not None:
            results = results | queryset.filter(phone)
        return results, may_have_duplicates
