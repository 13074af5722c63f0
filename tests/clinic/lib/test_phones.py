"""Phone numbers: one E.164 spelling, and the forms a search box may be typed in."""

import pytest
from django.test import override_settings

from clinic.lib.phones import InvalidPhone, normalise_phone, phone_search_variants

FIVE_FORMATS = ["07911 123456", "07911123456", "+44 7911 123456", "+447911123456", "0044 7911 123456"]


@pytest.mark.parametrize("typed", FIVE_FORMATS)
def test_every_way_of_typing_a_number_normalises_to_e164(typed):
    assert normalise_phone(typed) == "+447911123456"


@pytest.mark.parametrize("typed", FIVE_FORMATS)
def test_every_way_of_typing_a_number_searches_for_its_e164_form(typed):
    assert phone_search_variants(typed)[0] == "+447911123456"


@pytest.mark.parametrize("typed", ["", "12", "not a number", "0791112345678901", "+44 1"])
def test_it_refuses_what_nobody_could_call(typed):
    with pytest.raises(InvalidPhone):
        normalise_phone(typed)


def test_a_national_number_is_read_in_the_clinics_region():
    with override_settings(CLINIC_PHONE_REGION="FR"):
        assert normalise_phone("06 12 34 56 78") == "+33612345678"


def test_a_fragment_of_digits_still_searches_and_words_do_not():
    assert phone_search_variants("123 456") == ["123456"]
    assert phone_search_variants("Pat Example") == []
    assert phone_search_variants("pat@example.org") == []
