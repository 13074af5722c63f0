"""The reliability matrix (RELIABILITY.md rows A1–J11) mapped to the tests that carry each row's id.

A test belongs to a row when its name starts with the row's id: `test_F1_...`, or several rows
at once, `test_H1_H2_...`. `python -m tests.support.matrix --junit FILE... --write docs/SECURITY.md`
fills the table in docs/SECURITY.md with each row's tests and their results in a real run
(`make security-table` runs the suites and does that).
"""

import argparse
import ast
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"

ROWS = {
    "A1": "Production settings pass the deploy checks",
    "A2": "Security headers on every response class",
    "A3": "Cookie flags",
    "A4": "Host-header poisoning",
    "A5": "No debug leakage",
    "A6": "Migrations apply on both databases",
    "B1": "CSRF on booking, cancel, admin login and admin actions",
    "B2": "Stored XSS through name or notes",
    "B3": "Email header injection",
    "B4": "Open redirect",
    "B5": "Sensitive action on GET",
    "C1": "Brute force on the admin login",
    "C2": "Client IP behind the proxy",
    "C3": "2FA required for the admin",
    "C4": "Session fixation",
    "C5": "Logout and password change",
    "C6": "Idle and absolute timeouts",
    "C7": "Password storage and policy",
    "C8": "Staff authorization",
    "D1": "Token strength and storage",
    "D2": "Expired, unknown, tampered, wrong purpose",
    "D3": "Single use, and link scanners",
    "D4": "Tokens leaking through side channels",
    "D5": "IDOR",
    "D6": "Token guessing rate",
    "E1": "Fuzz the booking form",
    "E2": "Date of birth and appointment times",
    "E3": "Slot tampering",
    "E4": "Oversized and malformed requests",
    "E5": "Email and phone normalisation",
    "F1": "N concurrent bookings of the same slot",
    "F2": "The test can detect a race (mutation check)",
    "F3": "Overlap semantics",
    "F4": "Staff race in the admin",
    "F5": "SQLite local default under concurrency",
    "F6": "Double submit",
    "F7": "SERIALIZABLE variant (optional)",
    "G1": "Enqueue only after commit",
    "G2": "Schedule correctness (day 1/3/7/30, reminder)",
    "G3": "Every due email sent exactly once with concurrent dispatchers",
    "G4": "The same on SQLite",
    "G5": "Kill the worker mid-send",
    "G6": "Redis hangs or stops while a patient books",
    "G7": "Redis crash with data loss",
    "G8": "SMTP refuses, then accepts",
    "G9": "SMTP permanent failure",
    "G10": "PostgreSQL restarts mid-dispatch",
    "G11": "Graceful deploy",
    "G12": "Negative control: why aftercare isn't an ETA task",
    "G13": "Worker memory (optional)",
    "H1": "Minimum-necessary emails",
    "H2": "Logs without personal data",
    "H3": "No PII in the broker or results",
    "H4": "Retention purge",
    "H5": "Right to erasure",
    "H6": "Export and access",
    "I1": "Mixed browsing and booking contention",
    "J1": "Identity by email is not proof",
    "J2": "Every output follows field permissions",
    "J3": "No filter oracle",
    "J4": "No secret or PII in any log",
    "J5": "Erasure reaches the admin log",
    "J6": "Cache outage fails open",
    "J7": "Client address cannot be forged",
    "J8": "Second factor reveals nothing",
    "J9": "Log filter never breaks records",
    "J10": "Hostile parameters never reach a 500",
    "J11": "Body size capped",
}

# Rows answered in writing rather than (only) by a test: the reason is shown in the table.
EXCEPTIONS = {
    "F7": "Optional row, not built: the exclusion constraint makes SERIALIZABLE unnecessary for "
    "bookings, and F1/F2 show the constraint holds (and is needed) at READ COMMITTED.",
}

# Rows whose tests show something narrower or different from the row's wording, and why.
NOTES = {
    "A2": "Token pages send Referrer-Policy strict-origin, not no-referrer: under no-referrer browsers post "
    "Origin: null and the CSRF check refuses the page's own forms; strict-origin never sends the path.",
    "F3": "Overlaps are refused by the database (IntegrityError), which every booking path turns into "
    "'not available' with alternatives; no form validates appointments with full_clean, so there is no "
    "model clean() to give a ValidationError (it was dead code).",
    "H4": "Appointments are not purged: they are the clinic's diary (the legal-hold list in the README). "
    "Sessions, login records and sent or cancelled email are.",
    "J11": "The site answers 413 from Content-Length before reading; gunicorn still drains a body a client "
    "keeps sending on a kept-alive connection, so the proxy must cap bodies too (Deployment settings).",
}

TEST_NAME = re.compile(r"^test_((?:[A-J]\d{1,2}_)+)")


def row_ids(test_name):
    """The row ids a test's name starts with: test_H1_H2_x -> ["H1", "H2"]."""
    match = TEST_NAME.match(test_name)
    return [part for part in match.group(1).split("_") if part] if match else []


def collect_row_tests(root=ROOT):
    """{row id: ["tests/path.py::test_name", ...]} from every test function under tests/."""
    found = defaultdict(list)
    for path in sorted((root / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for row in row_ids(node.name):
                    found[row].append(f"{path.relative_to(root)}::{node.name}")
    return found


def junit_outcomes(paths):
    """{"tests/path.py::test_name": Counter-like dict of outcome -> count} from pytest's JUnit XML."""
    outcomes = defaultdict(lambda: defaultdict(int))
    for path in paths:
        for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314 (our own pytest's report)
            module = case.get("classname", "").replace(".", "/") + ".py"
            name = case.get("name", "").split("[")[0]
            skipped = case.find("skipped")
            if case.find("failure") is not None or case.find("error") is not None:
                outcome = "failed"
            elif skipped is not None:
                outcome = "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
            else:
                outcome = "passed"
            outcomes[f"{module}::{name}"][outcome] += 1
    return outcomes


def summary(counts):
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "not run"


def table(found, outcomes):
    lines = ["| Row | Scenario | Tests | Result |", "|---|---|---|---|"]
    for row, scenario in ROWS.items():
        tests = found.get(row, [])
        names = "<br>".join(f"`{t.split('::')[1]}`" for t in tests)
        totals = defaultdict(int)
        for test in tests:
            for outcome, n in outcomes.get(test, {}).items():
                totals[outcome] += n
        result = summary(totals) if tests else ""
        if row in EXCEPTIONS:
            names = (names + "<br>" if names else "") + f"Exception: {EXCEPTIONS[row]}"
        if row in NOTES:
            names += f"<br>Note: {NOTES[row]}"
        lines.append(f"| {row} | {scenario} | {names} | {result} |")
    return "\n".join(lines)


def write(document, text):
    content = document.read_text()
    before, rest = content.split(START, 1)
    _, after = rest.split(END, 1)
    document.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", nargs="*", default=[], help="pytest --junitxml files from the real run")
    parser.add_argument("--write", type=Path, help="the document whose matrix table to replace")
    args = parser.parse_args(argv)
    text = table(collect_row_tests(), junit_outcomes(args.junit))
    if args.write:
        write(args.write, text)
    else:
        print(text)
    missing = [row for row in ROWS if row not in collect_row_tests() and row not in EXCEPTIONS]
    if missing:
        print("Rows with neither a test nor an exception: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
