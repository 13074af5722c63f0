"""Every row of the reliability matrix has a test carrying its id, or a written exception (docs/SECURITY.md)."""

import re

from tests.support import matrix


def test_every_row_has_a_test_named_after_it_or_a_written_exception():
    found = matrix.collect_row_tests()
    missing = [row for row in matrix.ROWS if row not in found and row not in matrix.EXCEPTIONS]
    assert missing == []


def test_no_test_names_a_row_the_matrix_does_not_have():
    assert set(matrix.collect_row_tests()) <= set(matrix.ROWS)


def test_the_security_document_lists_every_row_and_only_tests_that_exist():
    document = (matrix.ROOT / "docs" / "SECURITY.md").read_text()
    listed = document.split(matrix.START, 1)[1].split(matrix.END, 1)[0]
    rows = re.findall(r"^\| ([A-J]\d{1,2}) \|", listed, re.M)
    assert rows == list(matrix.ROWS)
    existing = {test.split("::")[1] for tests in matrix.collect_row_tests().values() for test in tests}
    named = set(re.findall(r"`(test_[A-Za-z0-9_]+)`", listed))
    assert named <= existing, sorted(named - existing)


def test_row_ids_are_read_from_the_start_of_a_name_only():
    assert matrix.row_ids("test_H1_H2_canaries_in_logs") == ["H1", "H2"]
    assert matrix.row_ids("test_D3_B5_scanners") == ["D3", "B5"]
    assert matrix.row_ids("test_the_G5_rule") == []
