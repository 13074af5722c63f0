"""Absolute links, the site's host, patient-link tokens and spreadsheet-safe cells."""

from clinic.lib import links, tokens
from clinic.lib.spreadsheets import csv_safe


def test_links_and_the_host_come_from_site_url_only(settings, rf):
    settings.SITE_URL = "https://book.clinic.example"
    assert links.absolute_url("/milia/") == "https://book.clinic.example/milia/"
    assert links.absolute_reverse("manage:page", "abc") == "https://book.clinic.example/manage/abc/"
    assert links.site_host() == "book.clinic.example"


def test_tokens_are_256_random_bits_and_only_their_digest_is_kept():
    made = {tokens.new_token() for _ in range(1000)}
    assert len(made) == 1000 and all(len(token) >= 43 for token in made)
    token = next(iter(made))
    assert tokens.digest(token) == tokens.digest(token) and len(tokens.digest(token)) == 64
    assert token not in tokens.digest(token)


def test_a_cell_a_spreadsheet_would_run_is_defused_and_a_phone_number_is_not():
    assert csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("-1+1") == "'-1+1"
    assert csv_safe("+447911123456") == "+447911123456"
    assert csv_safe("Pat Example") == "Pat Example"
