"""The attacks: the issue's table, RELIABILITY.md's hostile-input rows (B, C, D, E, J) and the booking race.

Each attack is a function of the run's context returning a Finding (held, reason). Attacks run
in the order they are declared; shared setup (a canary patient with a treatment, its aftercare
email and a worried check-in; staff sign-ins) is in `setup`. The checks look at what really
happened: the stack's database (psql-level SQL), the mail at the sink, every log file.
"""

import concurrent.futures
import datetime
import json
import re
import secrets
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from .client import (
    CONNECTION_ERRORS,
    Finding,
    changelist_count,
    error_texts,
    form_fields,
    input_value,
    scripts_and_handlers,
)
from .flows import ADMIN, ANSWERS_NO, KIND, Person, Site, clinic_today, rand

ATTACKS = []


def attack(ident, title, *, group="hostile input"):
    def register(fn):
        ATTACKS.append((ident, title, group, fn))
        return fn

    return register


def held(reason, **details):
    return Finding(True, reason, details)


def failed(reason, **details):
    return Finding(False, reason, details)


class AttackError(Exception):
    """The attack itself could not run as designed (not a finding about the site)."""


def require(condition, message):
    if not condition:
        raise AttackError(message)


def q(value):
    return urllib.parse.quote(value, safe="")


def server_errors(responses):
    return [f"{r.method} {shorten(r.path)} → {r.status}" for r in responses if r.status >= 500]


def shorten(path, limit=90):
    """A path fit for the report: patient-link tokens replaced, long values cut."""
    path = re.sub(r"/(manage|aftercare|email/unsubscribe)/[A-Za-z0-9_-]{20,}", r"/\1/[token]", path)
    return path if len(path) <= limit else path[: limit - 1] + "…"


@dataclass
class Run:
    stack: object
    site: Site
    race_clients: int = 550
    users: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)  # what setup made: bookings, ids, canaries
    canaries: dict = field(default_factory=dict)  # kind -> set of strings no log may hold

    def canary(self, kind, value):
        self.canaries.setdefault(kind, set()).add(value)
        return value

    def needles(self):
        """What J4 greps for: each canary as written, URL-encoded both ways, and its distinctive parts."""
        found = {}
        for kind, values in self.canaries.items():
            for value in values:
                forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
                forms.update(word for word in re.split(r"[\s@]+", value) if re.search(r"\d", word) and len(word) >= 8)
                if kind == "phone":
                    forms.add(re.sub(r"\D", "", value))
                found.setdefault(kind, set()).update(f.lower() for f in forms if f)
        return found

    def person(self, label, **overrides):
        person = Person.canary(label, **overrides)
        self.canary("name", person.name)
        self.canary("email", person.email)
        self.canary("phone", person.phone)
        self.canary("phone", person.phone_e164)
        if person.notes:
            self.canary("clinical", person.notes)
        return person

    def staff(self, username):
        if username not in self.sessions:
            self.sessions[username] = self.site.staff(self.users[username])
        return self.sessions[username]


STAFF = [
    ("reception", "Reception"),
    ("clinician", "Clinician"),
    ("manager", "Clinic manager"),
    ("editor", "Content editor"),
    ("lock-a", "Reception"),
    ("lock-b", "Reception"),
    ("xff-a", "Reception"),
    ("xff-b", "Reception"),
    ("xff-c", "Reception"),
    ("otp-a", "Reception"),
    ("otp-b", "Reception"),
    ("otp-c", "Reception"),
    ("fixation", "Reception"),
    ("sessions", "Reception"),
    ("redirect-a", "Reception"),
    ("redirect-b", "Reception"),
]


def aftercare_link(run, suffix=""):
    """The aftercare email's link to the patient's page (suffix ""), or to a check-in ("check-in/ok/")."""
    return next(p for p in run.facts["aftercare_links"] if re.fullmatch(r"/aftercare/[^/]+/" + re.escape(suffix), p))


# --- Setup ------------------------------------------------------------------------------------


def setup(run, staff=STAFF):
    """Staff logins; the canary patient: booked, treated (aftercare email), worried; tokens of every kind."""
    site, stack = run.site, run.stack
    run.users = stack.create_staff_users(staff)
    main = run.person("main", answers={**ANSWERS_NO, "isotretinoin": "yes", "pregnant": "not_sure"})
    booking = site.book(main)
    require(booking.ok, f"the canary patient could not book: {booking.step} {booking.status} {booking.errors}")
    run.facts["main"] = booking
    reception = run.staff("reception")
    clinician = run.staff("clinician")
    appointment_id = site.appointment_id(reception, booking.reference)
    run.facts["main_appointment"] = appointment_id
    run.facts["main_patient"] = site.patient_id(booking.reference)
    clinical = run.canary("clinical", f"CANARY-CLINICAL-{rand()} scarring on the left cheek")
    run.facts["clinical"] = clinical
    run.facts["main_record"] = site.record_treatment(clinician, appointment_id, notes=clinical)
    mail = site.wait_mail(main.email, lambda m: "/aftercare/" in m.text())
    run.facts["aftercare_mail"] = mail
    run.facts["aftercare_links"] = site.links_in(mail, "aftercare")
    run.facts["unsubscribe_links"] = site.links_in(mail, "email/unsubscribe")
    require(run.facts["aftercare_links"], "the aftercare email has no aftercare link")
    require(
        {"", "check-in/ok/", "check-in/worried/"}
        <= {re.sub(r"^/aftercare/[^/]+/", "", p) for p in run.facts["aftercare_links"]},
        "the aftercare email lacks its page or check-in links",
    )
    require(run.facts["unsubscribe_links"], "the aftercare email has no unsubscribe link")
    worry = run.canary("clinical", f"CANARY-WORRY-{rand()} the wound is weeping")
    run.facts["worry"] = worry
    worried = aftercare_link(run, "check-in/worried/")
    patient = site.client()
    require(patient.get(worried).status == 200, "the worried check-in page did not open")
    done = patient.post(worried, {"message": worry})
    require(done.status == 302, f"the worried check-in answered {done.status}")


# --- J: the defects an earlier attack found -------------------------------------------------------


@attack("J1", "Booking with a patient's email (other case) never changes their stored identity", group="table")
def j1_identity(run):
    site = run.site
    victim = run.person("victim")
    first = site.book(victim)
    require(first.ok, f"the victim could not book: {first.step} {first.status}")
    patient_id = site.patient_id(first.reference)
    before = run.stack.sql(
        "SELECT name, phone, date_of_birth::text, marketing_consent, email FROM clinic_patient WHERE id = %s",
        (patient_id,),
    )[0]
    attacker = run.person("attacker", notes=False)
    local, domain = victim.email.split("@")
    attacker.email = local.upper() + "@" + domain.title()
    attacker.marketing = True
    second = site.book(attacker, wait_mail=False)
    after = run.stack.sql(
        "SELECT name, phone, date_of_birth::text, marketing_consent, email FROM clinic_patient WHERE id = %s",
        (patient_id,),
    )[0]
    changed = [
        name
        for name, a, b in zip(
            ("name", "phone", "date_of_birth", "marketing_consent", "email"), before, after, strict=True
        )
        if a != b
    ]
    page = run.staff("reception").get(
        f"{ADMIN}clinic/appointment/{site.appointment_id(run.staff('reception'), first.reference)}/change/"
    )
    shown_as_attacker = attacker.name in page.text
    problems = []
    if changed:
        problems.append(f"the victim's stored {', '.join(changed)} changed")
    if shown_as_attacker:
        problems.append("staff see the victim's booking under the attacker's name")
    if victim.name not in page.text:
        problems.append("the victim's booking no longer shows the victim's name")
    if problems:
        return failed("; ".join(problems), attacker_booking=second.ok)
    note = "" if second.ok else f" (the attacker's booking stopped at {second.step}: {second.status})"
    return held("victim's name, phone, date of birth and consent unchanged; staff see the victim's name" + note)


def _reception_outputs(run):
    """Every output Reception can get about the canary patient: (label, response)."""
    reception = run.staff("reception")
    patient, appointment = run.facts["main_patient"], run.facts["main_appointment"]
    booking = run.facts["main"]
    paths = [
        f"{ADMIN}clinic/patient/{patient}/change/",
        f"{ADMIN}clinic/patient/{patient}/history/",
        f"{ADMIN}clinic/patient/{patient}/export.json",
        f"{ADMIN}clinic/patient/{patient}/export.csv",
        f"{ADMIN}clinic/patient/?q={q(booking.person.email)}",
        f"{ADMIN}clinic/appointment/{appointment}/change/",
        f"{ADMIN}clinic/appointment/{appointment}/history/",
        f"{ADMIN}clinic/appointment/?q={booking.reference}",
        f"{ADMIN}clinic/treatmentrecord/{run.facts['main_record']}/change/",
        f"{ADMIN}clinic/treatmentrecord/",
        f"{ADMIN}treatments/aftercarecheckin/",
        f"{ADMIN}",
        f"{ADMIN}agenda/",
    ]
    outputs = [(p, reception.get(p)) for p in paths]
    change = outputs[0][1].text
    for preview in sorted(set(re.findall(r"/admin/clinic/outbox/\d+/preview/", change))):
        outputs.append((preview, reception.get(preview)))
        outputs.append((preview + "html/", reception.get(preview + "html/")))
    return outputs


def _hidden_canaries(run):
    return {
        "booking notes": run.facts["main"].person.notes,
        "clinical notes": run.facts["clinical"],
        "worry message": run.facts["worry"],
        "questionnaire answers": "isotretinoin",
    }


@attack("J2", "Reception's outputs (export JSON/CSV, pages, history, previews) hold no hidden fields", group="table")
def j2_exports(run):
    patient = run.facts["main_patient"]
    canaries = _hidden_canaries(run)
    control = run.staff("clinician").get(f"{ADMIN}clinic/patient/{patient}/export.json")
    require(control.status == 200, f"control: the clinician's export answered {control.status}")
    missing = [k for k, v in canaries.items() if v.lower() not in control.text.lower()]
    require(not missing, f"control: the clinician's export lacks {missing}: the canaries are not where expected")
    leaks = []
    statuses = {}
    for label, response in _reception_outputs(run):
        statuses[shorten(label)] = response.status
        if response.status >= 500:
            leaks.append(f"{shorten(label)} → {response.status}")
            continue
        if response.status != 200:
            continue
        for kind, value in canaries.items():
            if value.lower() in response.text.lower():
                leaks.append(f"{kind} in {shorten(label)}")
    editor = run.staff("editor").get(f"{ADMIN}clinic/patient/{patient}/export.json")
    if editor.status == 200:
        leaks.append(f"a content editor can export a patient ({editor.status})")
    if leaks:
        return failed("Reception gets " + "; ".join(leaks), statuses=statuses)
    return held(f"none of {', '.join(canaries)} in {len(statuses)} Reception outputs; editors get {editor.status}")


@attack("J3", "Reception cannot filter on hidden fields (?notes__icontains=, ?notes__regex=, …)", group="table")
def j3_filters(run):
    reception = run.staff("reception")
    booking = run.facts["main"]
    notes_tag = booking.person.notes.split()[0]
    clinical_tag = run.facts["clinical"].split()[0]
    appointments = f"{ADMIN}clinic/appointment/?q={booking.reference}"
    patients = f"{ADMIN}clinic/patient/?q={q(booking.person.email)}"
    probes = [
        (appointments, "notes__icontains", notes_tag[-8:], "nomatch" + rand()),
        (appointments, "notes__regex", notes_tag[-8:] + ".*", "^nomatch" + rand()),
        (appointments, "notes__startswith", notes_tag[:14], "zz" + rand()),
        (appointments, "questionnaire__isotretinoin", "yes", "no"),
        (appointments, "questionnaire__isotretinoin__exact", "yes", "no"),
        (appointments, "treatment_records__notes__icontains", clinical_tag[-8:], "nomatch" + rand()),
        (patients, "appointments__notes__icontains", notes_tag[-8:], "nomatch" + rand()),
        (patients, "treatment_records__notes__icontains", clinical_tag[-8:], "nomatch" + rand()),
    ]
    oracles, answers, errors = [], {}, []
    for base, lookup, hit, miss in probes:
        got = []
        for value in (hit, miss):
            response = reception.get(f"{base}&{lookup}={q(value)}")
            if response.status >= 500:
                errors.append(f"{lookup} → {response.status}")
            got.append((response.status, changelist_count(response.text) if response.status == 200 else None))
        answers[lookup] = got
        if got[0][0] == 200 and got[1][0] == 200 and got[0][1] != got[1][1]:
            oracles.append(f"{lookup} ({got[0][1]} rows for the hidden value, {got[1][1]} otherwise)")
    if oracles or errors:
        return failed("row counts reveal hidden fields: " + "; ".join(oracles + errors), answers=answers)
    return held(
        "every hidden-field lookup refused or ignored: " + ", ".join(f"{k} {v[0][0]}" for k, v in answers.items())
    )


def _login_errors(response):
    return sorted(set(error_texts(response.text)))


@attack("J7a", "Forged X-Forwarded-For straight to gunicorn gets no fresh tries (lockout holds)", group="table")
def j7_forged_lockout(run):
    site, user = run.site, run.users["xff-a"]
    statuses = []
    client = site.client()
    for i in range(8):
        forged = {"X-Forwarded-For": f"10.{66 + i}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"}
        _, r = site.sign_in(user, client=client, password="wrong-" + rand(), headers=forged)
        statuses.append(r.status)
    _, last = site.sign_in(user, client=client, headers={"X-Forwarded-For": "10.99.99.99"})
    if last.status == 302:
        return failed("8 wrong passwords under forged addresses, then the right one got in (302)", statuses=statuses)
    if last.status != 429:
        return failed(f"the right password after 8 failures answered {last.status}, not the lockout", statuses=statuses)
    return held(f"locked: {statuses.count(429)} of 8 forged tries refused with 429; the right password too (429)")


@attack("J7b", "A forged X-Forwarded-For does not lock out the real client behind the trusted proxy")
def j7_forged_victim(run):
    site, user = run.site, run.users["xff-b"]
    victim_address = "203.0.113.77"
    attacker = site.client()
    for _ in range(5):
        site.sign_in(user, client=attacker, password="wrong-" + rand(), headers={"X-Forwarded-For": victim_address})
    _, real = site.sign_in(user, client=site.proxy_client(), headers={"X-Forwarded-For": victim_address})
    if real.status != 302:
        return failed(
            f"after an attacker forged {victim_address} five times, the real client there got {real.status}, not in"
        )
    return held("the attacker's forged header locked nobody else out; the real client signed in")


@attack("J7c", "Through the trusted proxy, the lockout keys on the real client address")
def j7_trusted_proxy(run):
    site, user = run.site, run.users["xff-c"]
    for _ in range(5):
        site.sign_in(
            user, client=site.proxy_client(), password="wrong-" + rand(), headers={"X-Forwarded-For": "198.51.100.20"}
        )
    _, same = site.sign_in(user, client=site.proxy_client(), headers={"X-Forwarded-For": "198.51.100.20"})
    _, other = site.sign_in(user, client=site.proxy_client(), headers={"X-Forwarded-For": "198.51.100.21"})
    if same.status == 429 and other.status == 302:
        return held("locked at the client's address (429); another address through the proxy signed in (302)")
    return failed(f"right password from the locked address: {same.status}; from another address: {other.status}")


@attack("J8", "The one-time-code step reveals nothing: same answer as a wrong password, and it counts", group="table")
def j8_otp_oracle(run):
    site = run.site
    user = run.users["otp-a"]
    _, wrong_password = site.sign_in(user, password="wrong-" + rand(), code=user.wrong_code())
    _, wrong_code = site.sign_in(user, code=user.wrong_code())
    problems = []
    a, b = (wrong_password.status, _login_errors(wrong_password)), (wrong_code.status, _login_errors(wrong_code))
    if a != b:
        problems.append(f"wrong password → {a[0]} {a[1]}; right password + wrong code → {b[0]} {b[1]}")
    counter = run.users["otp-b"]
    statuses = [site.sign_in(counter, code=counter.wrong_code())[1].status for _ in range(5)]
    _, after = site.sign_in(counter)
    if after.status != 429:
        problems.append(
            f"5 right passwords with wrong codes did not lock the login (then the right code: {after.status})"
        )
    if problems:
        return failed("; ".join(problems), statuses=statuses)
    return held("same status and message for both; 5 wrong codes lock the login (429)")


@attack("J5", "Erasure leaves the name nowhere: admin log, Recent actions, history, database", group="table")
def j5_erasure(run):
    site, stack = run.site, run.stack
    person = run.person("erase")
    booking = site.book(person)
    require(booking.ok, f"the patient to erase could not book: {booking.step} {booking.status}")
    manager, clinician = run.staff("manager"), run.staff("clinician")
    patient = site.patient_id(booking.reference)
    appointment = site.appointment_id(manager, booking.reference)
    change = manager.get(f"{ADMIN}clinic/patient/{patient}/change/")
    require(change.status == 200, f"the manager's patient page answered {change.status}")
    form = {
        f["name"]: f.get("value", "")
        for f in form_fields(change.text)
        if f["tag"] in ("input", "textarea") and f.get("name")
    }
    new_phone = person.phone_e164[:-2] + ("12" if not person.phone_e164.endswith("12") else "21")
    run.canary("phone", new_phone)
    data = {
        "name": person.name,
        "email": person.email,
        "phone": new_phone,
        "date_of_birth": person.date_of_birth,
        "csrfmiddlewaretoken": form.get("csrfmiddlewaretoken", manager.csrf_token),
        "_save": "Save",
    }
    saved = manager.post(f"{ADMIN}clinic/patient/{patient}/change/", data)
    require(saved.status == 302, f"editing the patient answered {saved.status}: {error_texts(saved.text)}")
    require(manager.get(f"{ADMIN}clinic/patient/{patient}/export.json").status == 200, "the manager's export failed")
    site.record_treatment(clinician, appointment, notes=f"CANARY-CLINICAL-erase-{rand()}")
    require(manager.get(f"{ADMIN}clinic/patient/{patient}/erase/").status == 200, "the erase page did not open")
    erased = manager.post(f"{ADMIN}clinic/patient/{patient}/erase/", {})
    require(erased.status == 302, f"erasing answered {erased.status}")
    pages = [
        f"{ADMIN}",
        f"{ADMIN}clinic/patient/{patient}/change/",
        f"{ADMIN}clinic/patient/{patient}/history/",
        f"{ADMIN}clinic/appointment/{appointment}/change/",
        f"{ADMIN}clinic/appointment/{appointment}/history/",
        f"{ADMIN}clinic/treatmentrecord/",
    ]
    details = {"name": person.name, "email": person.email, "phone": person.phone_e164, "phone2": new_phone}
    found = []
    for path in pages:
        response = manager.get(path)
        for label, value in details.items():
            if value.lower() in response.text.lower():
                found.append(f"{label} on {path}{' (Recent actions)' if path == ADMIN else ''}")
    log_rows = stack.sql(
        "SELECT count(*) FROM django_admin_log WHERE object_repr ILIKE %s OR change_message ILIKE %s",
        (f"%{person.name}%", f"%{person.name}%"),
    )[0][0]
    if log_rows:
        found.append(f"name in {log_rows} admin log entries")
    dump = stack.pg_dump()
    for label, value in details.items():
        tables = sorted(_dump_tables_holding(dump, value))
        if tables:
            found.append(f"{label} in the database ({', '.join(tables)})")
    if found:
        return failed("after erasure: " + "; ".join(found))
    return held("the name, email and phones are gone from the dashboard, history, admin log and a full pg_dump")


def _dump_tables_holding(dump, value):
    table = None
    tables = set()
    needle = value.lower()
    for line in dump.splitlines():
        if line.startswith("COPY "):
            table = line.split()[1]
        elif line == "\\.":
            table = None
        elif needle in line.lower():
            tables.add(table or "schema")
    return tables


@attack("J10a", "NUL bytes in query parameters of public views (/search/?q=, /book/?treatment=…)", group="table")
def j10_nul_public(run):
    client = run.site.client()
    paths = [
        "/search/?q=%00",
        "/search/?q=milia%00",
        "/search/?q=%00%00%00%00",
        "/book/?treatment=%00",
        "/book/?treatment=laser%00",
        f"/book/?consultation_type={KIND}%00&practitioner=any",
        f"/book/?consultation_type={KIND}&practitioner=%00",
        "/treatments/?page=%00",
        "/milia/?q=%00",
    ]
    responses = [client.get(p) for p in paths]
    errors = server_errors(responses)
    if errors:
        return failed("; ".join(errors))
    return held(f"{len(paths)} requests, none a 5xx ({sorted({r.status for r in responses})})")


@attack("J10b", "Out-of-range weeks on the booking page (week=9999-12-31, 0001-01-01, 99999, NUL)", group="table")
def j10_weeks_booking(run):
    client = run.site.client()
    run.site.start_booking(client)
    values = ["9999-12-31", "9999-12-25", "0001-01-01", "99999-01-01", "2026-02-30", "abc", "%00", "-1"]
    responses = [client.get(f"/book/times/?week={v}") for v in values]
    responses.append(client.get("/book/times/?first=1&week=9999-12-31"))
    errors = server_errors(responses)
    if errors:
        return failed("; ".join(errors))
    return held(f"{len(responses)} requests, none a 5xx")


@attack("J10c", "Out-of-range weeks on the manage-my-booking move page", group="table")
def j10_weeks_move(run):
    site = run.site
    booking = site.book(run.person("move"))
    require(booking.ok and booking.manage_token, "the booking for the move page failed")
    client = site.client()
    base = f"/manage/{booking.manage_token}/move/"
    control = client.get(base)
    require(control.status == 200, f"control: the move page answered {control.status}")
    responses = [
        client.get(f"{base}?week={v}") for v in ("9999-12-31", "9999-12-27", "0001-01-01", "99999-01-01", "%00")
    ]
    errors = server_errors(responses)
    if errors:
        return failed("; ".join(errors))
    return held(f"{len(responses)} requests, none a 5xx ({sorted({r.status for r in responses})})")


@attack("J10d", "Agenda dates at the ends of the calendar (/admin/agenda/9999-12-31/, 0001-01-01)", group="table")
def j10_agenda(run):
    reception = run.staff("reception")
    paths = [
        f"{ADMIN}agenda/9999-12-31/",
        f"{ADMIN}agenda/0001-01-01/",
        f"{ADMIN}agenda/99999-01-01/",
        f"{ADMIN}agenda/?day=9999-12-31",
        f"{ADMIN}agenda/?day=0001-01-01",
        f"{ADMIN}agenda/?day=%00",
    ]
    responses = [reception.get(p) for p in paths]
    errors = server_errors(responses)
    if errors:
        return failed("; ".join(errors))
    return held(f"{len(paths)} requests, none a 5xx ({sorted({r.status for r in responses})})")


@attack("J10e", "Appointments CSV export to the ends of the calendar", group="table")
def j10_csv(run):
    reception = run.staff("reception")
    ranges = [
        ("9999-12-31", "9999-12-31"),
        ("9999-01-01", "9999-12-31"),
        ("0001-01-01", "0001-01-01"),
        ("0001-01-01", "0001-12-31"),
        ("2026-01-01", "9999-12-31"),
        ("%00", "%00"),
    ]
    responses = [reception.get(f"{ADMIN}appointments.csv?first_day={a}&last_day={b}") for a, b in ranges]
    errors = server_errors(responses)
    if errors:
        return failed("; ".join(errors))
    return held(f"{len(ranges)} ranges, none a 5xx ({sorted({r.status for r in responses})})")


@attack("J10f", "Email addresses the form accepts but the outbox refuses are a form error, not a 500", group="table")
def j10_emails(run):
    site = run.site
    outcomes, errors = {}, []
    for address in ('"a,b"@example.org', '"<x>"@example.org', "İnfo@example.org", '"a b"@example.org'):
        person = Person.canary("odd", email=address)
        booking = site.book(person, wait_mail=False)
        codes = [s for _, _, s in booking.statuses]
        if any(c >= 500 for c in codes):
            errors.append(f"{address}: {booking.step or 'confirm'} → {booking.status}")
        elif booking.ok:
            outcomes[address] = "booked"
        elif booking.step == "details" and booking.status == 200:
            outcomes[address] = "form error on the details step"
        else:
            errors.append(f"{address}: stopped at {booking.step} with {booking.status}, not a form error")
    if errors:
        return failed("; ".join(errors), outcomes=outcomes)
    return held("; ".join(f"{k}: {v}" for k, v in outcomes.items()))


@attack("J10g", "A zero-width space in an email's domain does not create a second patient", group="table")
def j10_zero_width(run):
    site = run.site
    person = run.person("zwsp")
    first = site.book(person)
    require(first.ok, "the first booking failed")
    local, domain = person.email.split("@")
    twin = Person.canary("zwsp", email=f"{local}@{domain[:3]}\u200b{domain[3:]}")
    second = site.book(twin, wait_mail=False)
    if any(s >= 500 for _, _, s in second.statuses):
        return failed(f"the zero-width address gave a {second.status} at {second.step}")
    patients = run.stack.sql(
        "SELECT count(*) FROM clinic_patient WHERE lower(replace(email, chr(8203), '')) = lower(%s)", (person.email,)
    )[0][0]
    if patients > 1:
        return failed(f"{patients} patients for one address (a zero-width space made a second)")
    how = "refused on the details step" if not second.ok else "booked on the same patient"
    return held(f"one patient for the address; the zero-width variant was {how}")


@attack("J10h", "Hostile parameters on staff lists (NUL in search, year 99999, bad ordering, huge page)", group="table")
def j10_admin_lists(run):
    reception = run.staff("reception")
    paths = [
        f"{ADMIN}clinic/patient/?q=%00",
        f"{ADMIN}clinic/appointment/?q=%00",
        f"{ADMIN}clinic/appointment/?q=a%00b",
        f"{ADMIN}clinic/outbox/?q=%00",
        f"{ADMIN}clinic/appointment/?starts_at__year=99999",
        f"{ADMIN}clinic/appointment/?starts_at__year=9999&starts_at__month=12&starts_at__day=31",
        f"{ADMIN}clinic/appointment/?starts_at__year=0",
        f"{ADMIN}clinic/appointment/?o=abc",
        f"{ADMIN}clinic/appointment/?p=999999",
        f"{ADMIN}clinic/appointment/?status__exact=%00",
        f"{ADMIN}clinic/appointment/?when=%00",
        f"{ADMIN}clinic/appointment/?practitioner__id__exact=abc",
    ]
    responses = [reception.get(p) for p in paths]
    errors = server_errors(responses)
    if errors:
        return failed("; ".join(errors))
    return held(f"{len(paths)} requests, none a 5xx ({sorted({r.status for r in responses})})")


def _big_post(run, *, extra_headers="", prefix=b""):
    """POST /book/details/ announcing 100 MB; returns (status or None, seconds to answer, MB taken after it)."""
    site = run.site
    head = (
        "POST /book/details/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{run.stack.web_port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {100 * 1024 * 1024}\r\n{extra_headers}\r\n"
    ).encode()
    first = prefix + b"a" * (65536 - len(prefix))
    chunk = b"a" * 65536
    started = time.monotonic()
    raw = socket.create_connection(("127.0.0.1", run.stack.web_port), timeout=10)
    with site.context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        sock.sendall(head + first)
        # A server that refuses early answers now, with 64 KB of the 100 MB sent; one that reads first waits.
        sock.settimeout(5)
        try:
            answer = sock.recv(65536)
        except OSError:
            answer = b""
        waited = time.monotonic() - started
        # Does it go on reading (draining) the body after answering? Offer it 32 MB more, for 8 s at most.
        more = 0
        sock.settimeout(2)
        deadline = time.monotonic() + 8
        while more < 32 * 1024 * 1024 and time.monotonic() < deadline:
            try:
                sock.sendall(chunk)
            except OSError:
                break
            more += len(chunk)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, waited, more / 2**20


@attack("J11", "A 100 MB body is refused at once (413) before it is read", group="table")
def j11_big_body(run):
    site = run.site
    client = site.client()
    client.get(f"{ADMIN}login/")  # a CSRF cookie and token: a form post the site would otherwise take
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    browser = f"Cookie: {cookie}\r\nOrigin: {site.base_url}\r\nReferer: {site.base_url}/book/\r\n"
    probes = {
        "a form post with its CSRF token": _big_post(
            run, extra_headers=browser, prefix=f"csrfmiddlewaretoken={client.csrf_token}&notes=".encode()
        ),
        "a bare post (no cookie, no token)": _big_post(run),
    }
    problems, seen = [], []
    for label, (status, waited, more) in probes.items():
        after = f"then took {more:.0f} MB more" + (" (it reads the whole body)" if more >= 32 else " and stopped")
        seen.append(f"{label}: {status} after {waited:.2f} s, {after}")
        if status is None:
            problems.append(f"{label}: no answer within {waited:.1f} s with 64 KB of 100 MB sent")
        elif status != 413 or more >= 32:
            problems.append(f"{label}: {status} after {waited:.2f} s, {after}")
    if problems:
        return failed("; ".join(problems))
    return held("; ".join(seen))


# --- B: web-layer security --------------------------------------------------------------------


def _count(stack, table, where="TRUE", params=()):
    return stack.sql(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]  # noqa: S608 (our own SQL)


@attack("B1", "CSRF: booking, confirming, admin login and actions, patient-link forms refuse a POST without the token")
def b1_csrf(run):
    site, stack = run.site, run.stack
    person = run.person("csrf")
    client = site.client()
    slots, _ = site.start_booking(client)
    slot = site.pick_slot(slots)
    problems = []
    r = client.post("/book/times/", {"slot": slot}, csrf=False)
    if r.status != 403:
        problems.append(f"time step without token → {r.status}")
    client.post("/book/times/", {"slot": slot})
    client.post("/book/details/", person.form())
    client.post("/book/questions/", person.answers)
    review = client.get("/book/review/")
    key = input_value(review.text, "idempotency_key")
    counts = (_count(stack, "clinic_appointment"), _count(stack, "clinic_outbox"))
    r = client.post("/book/review/", {"idempotency_key": key}, csrf=False)
    after = (_count(stack, "clinic_appointment"), _count(stack, "clinic_outbox"))
    if r.status != 403 or after != counts:
        problems.append(f"confirm without token → {r.status}, rows {counts} → {after}")
    r = client.post("/book/review/", {"idempotency_key": key})
    if r.status != 302:
        problems.append(f"confirm with the token → {r.status} (expected success)")
    login = site.client()
    login.get(f"{ADMIN}login/")
    r = login.post(f"{ADMIN}login/", {"username": "reception", "password": "x", "otp_token": "1"}, csrf=False)
    if r.status != 403:
        problems.append(f"admin login without token → {r.status}")
    reception = run.staff("reception")
    appointment = run.facts["main_appointment"]
    before = stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (appointment,))[0][0]
    r = reception.post(
        f"{ADMIN}clinic/appointment/",
        {"action": "mark_no_show", "_selected_action": str(appointment), "index": "0"},
        csrf=False,
    )
    status = stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (appointment,))[0][0]
    if r.status != 403 or status != before:
        problems.append(f"admin action without token → {r.status}, status {before} → {status}")
    manage = run.facts["main"].manage_token
    r = site.client().post(f"/manage/{manage}/cancel/", {}, csrf=False)
    status = stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (appointment,))[0][0]
    if r.status != 403 or status != "booked":
        problems.append(f"cancel link without token → {r.status}, status {status}")
    ok_link = aftercare_link(run, "check-in/ok/")
    check_ins = _count(stack, "clinic_aftercarecheckin")
    r = site.client().post(ok_link, {"message": ""}, csrf=False)
    if r.status != 403 or _count(stack, "clinic_aftercarecheckin") != check_ins:
        problems.append(f"check-in without token → {r.status}")
    opt_outs = _count(stack, "clinic_emailoptout")
    r = site.client().post(run.facts["unsubscribe_links"][0], {}, csrf=False)
    if r.status != 403 or _count(stack, "clinic_emailoptout") != opt_outs:
        problems.append(f"unsubscribe form without token → {r.status}")
    if problems:
        return failed("; ".join(problems))
    return held("7 forms refuse a POST without the token (403, nothing stored); with it the booking goes through")


XSS_NAME = '"><img src=x onerror=alert(11)><script>alert(12)</script>'
XSS_NOTES = "<script>alert(13)</script> <a href=\"javascript:alert(14)\">x</a> ' onmouseover=alert(15) x='"


def _xss_problems(label, html):
    parsed = scripts_and_handlers(html)
    problems = []
    for _src, text in parsed.scripts:
        if "alert(1" in text:
            problems.append(f"<script> with the payload in {label}")
    for tag, name, value in parsed.handlers:
        if "alert(1" in value:
            problems.append(f"{name}= on <{tag}> in {label}")
    for url in parsed.urls:
        if url.strip().lower().startswith("javascript:") and "alert(1" in url:
            problems.append(f"javascript: link in {label}")
    return problems


@attack("B2", "Stored XSS through name and notes: booking pages, admin pages, emails")
def b2_xss(run):
    site = run.site
    person = run.person("xss", notes=False)
    person.name = XSS_NAME
    person.notes = XSS_NOTES
    client = site.client()
    booking = site.book(person, client=client)
    if not booking.ok:
        if booking.step == "details" and booking.status == 200:
            return held("the payload is refused by the details form")
        return failed(f"the booking stopped at {booking.step} with {booking.status}")
    pages = [("confirmation", client.get("/book/confirmed/"))]
    pages.append(("manage page", site.client().get(f"/manage/{booking.manage_token}/")))
    for m in run.stack.sink.to(person.email):
        for part in m.message.walk():
            if part.get_content_type() == "text/html":
                pages.append(("email HTML", type("R", (), {"text": part.get_content(), "status": 200})()))
    reception, clinician = run.staff("reception"), run.staff("clinician")
    appointment = site.appointment_id(reception, booking.reference)
    patient = site.patient_id(booking.reference)
    for label, staff_client, path in [
        ("appointment list", reception, f"{ADMIN}clinic/appointment/?q={booking.reference}"),
        ("appointment page", clinician, f"{ADMIN}clinic/appointment/{appointment}/change/"),
        ("appointment history", clinician, f"{ADMIN}clinic/appointment/{appointment}/history/"),
        ("patient list", reception, f"{ADMIN}clinic/patient/?q={q(person.email)}"),
        ("patient page", reception, f"{ADMIN}clinic/patient/{patient}/change/"),
        ("agenda", reception, f"{ADMIN}agenda/{booking.slot[:10]}/"),
    ]:
        pages.append((label, staff_client.get(path)))
    change = pages[-2][1].text
    for preview in sorted(set(re.findall(r"/admin/clinic/outbox/\d+/preview/", change)))[:2]:
        pages.append(("email preview", reception.get(preview)))
        pages.append(("email preview HTML", reception.get(preview + "html/")))
    problems = []
    for label, response in pages:
        problems += _xss_problems(label, response.text)
    shown = sum(1 for _, r in pages if "alert(12)" in r.text)
    if problems:
        return failed("; ".join(sorted(set(problems))))
    return held(f"payload escaped everywhere ({len(pages)} pages and emails; it appears as text in {shown})")


@attack("B3", "Email header injection through name and email is refused; no Bcc ever reaches the sink")
def b3_header_injection(run):
    site = run.site
    problems = []
    for label, overrides in (
        ("name", {"name": "Eve\r\nBcc: x@evil.test"}),
        ("name (LF)", {"name": "Eve\nBcc: x@evil.test"}),
        ("email", {"email": "a@b.test\nBcc: x@evil.test"}),
        ("email (CRLF)", {"email": "a@b.test\r\nBcc: x@evil.test"}),
    ):
        person = Person.canary("inject", **overrides)
        booking = site.book(person, wait_mail=False)
        if booking.ok or booking.step != "details" or booking.status != 200:
            problems.append(f"{label}: {booking.step or 'booked'} → {booking.status}")
    evil = [m for m in run.stack.sink.messages if any("evil.test" in r for r in m.rcpt_tos) or m.message["Bcc"]]
    if evil:
        problems.append(f"{len(evil)} message(s) at the sink with a Bcc or an evil.test recipient")
    if problems:
        return failed("; ".join(problems))
    return held("all four refused with a form error; no Bcc at the sink")


@attack("B4", "Open redirect: ?next=https://evil.test/ on login, logout and patient-link forms")
def b4_open_redirect(run):
    site = run.site
    problems = []

    def off_site(response):
        location = response.header("Location") or ""
        netloc = urllib.parse.urlsplit(location.replace("\\", "/")).netloc
        return netloc and netloc != f"127.0.0.1:{run.stack.web_port}"

    for username, target in (("redirect-a", "https://evil.test/"), ("redirect-b", "//evil.test/")):
        client, response = site.sign_in(run.users[username], next_url=target)
        if response.status != 302:
            problems.append(f"login with next={target} → {response.status}")
        elif off_site(response):
            problems.append(f"login redirects to {response.header('Location')}")
        if username == "redirect-a":
            for evil in ("https://evil.test/", "/\\evil.test/"):
                out = client.post(f"{ADMIN}logout/?next={q(evil)}", {"next": evil})
                if off_site(out):
                    problems.append(f"logout redirects to {out.header('Location')}")
    if problems:
        return failed("; ".join(problems))
    return held("login and logout stay on the site whatever ?next= says")


@attack("B5", "GET, HEAD and OPTIONS never change state (cancel, move, unsubscribe, check-in, delete, erase)")
def b5_safe_methods(run):
    site, stack = run.site, run.stack
    booking = site.book(run.person("safe"))
    require(booking.ok, "booking failed")
    token = booking.manage_token
    responses = []
    client = site.client()
    for method in ("GET", "HEAD", "OPTIONS"):
        responses.append(client.request(method, f"/manage/{token}/cancel/"))
        responses.append(client.request(method, f"/manage/{token}/move/confirm/"))
        responses.append(client.request(method, run.facts["unsubscribe_links"][0]))
        responses.append(client.request(method, aftercare_link(run, "check-in/ok/")))
    appointment = site.appointment_id(run.staff("reception"), booking.reference)
    patient = site.patient_id(booking.reference)
    responses.append(run.staff("reception").get(f"{ADMIN}clinic/appointment/{appointment}/delete/"))
    responses.append(run.staff("manager").get(f"{ADMIN}clinic/patient/{patient}/erase/"))
    responses.append(run.staff("manager").get(f"{ADMIN}clinic/patient/{patient}/delete/"))
    responses.append(
        run.staff("reception").get(f"{ADMIN}clinic/appointment/?action=mark_no_show&_selected_action={appointment}")
    )
    problems = server_errors(responses)
    status = stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (appointment,))[0][0]
    if status != "booked":
        problems.append(f"the appointment is now {status}")
    if stack.sql("SELECT erased_at FROM clinic_patient WHERE id = %s", (patient,))[0][0] is not None:
        problems.append("the patient was erased by a GET")
    if _count(stack, "clinic_emailoptout"):
        problems.append("an unsubscribe happened on a GET/HEAD/OPTIONS")
    if _count(stack, "clinic_aftercarecheckin", "feeling = 'ok'"):
        problems.append("a check-in was recorded on a GET/HEAD/OPTIONS")
    if problems:
        return failed("; ".join(problems))
    return held(f"{len(responses)} safe-method requests, nothing changed ({sorted({r.status for r in responses})})")


# --- C: staff authentication and sessions -------------------------------------------------------


@attack("C1", "Five wrong passwords lock the login (429 even with the right one); a colleague is not locked")
def c1_lockout(run):
    site, stack = run.site, run.stack
    user = run.users["lock-a"]
    wrong = "CANARY-PASSWORD-" + rand(8)
    run.canary("password", wrong)
    client = site.client()
    statuses = [site.sign_in(user, client=client, password=wrong)[1].status for _ in range(5)]
    _, right = site.sign_in(user, client=client)
    attempts = _count(stack, "axes_accessattempt", "username = %s", (user.username,))
    _, colleague = site.sign_in(run.users["lock-b"], client=site.client())
    problems = []
    if right.status != 429:
        problems.append(f"the right password after 5 failures → {right.status}")
    if not attempts:
        problems.append("no AccessAttempt recorded")
    if colleague.status != 302:
        problems.append(f"a colleague at the same address → {colleague.status}")
    if problems:
        return failed("; ".join(problems), statuses=statuses)
    return held(f"failures {statuses}, then 429 with the right password; colleague signed in")


@attack("C3", "Two-factor: a password alone does not open the admin; a code works once")
def c3_two_factor(run):
    site = run.site
    user = run.users["otp-c"]
    problems = []
    no_code_client, no_code = site.sign_in(user, code="")
    if no_code.status == 302 or no_code_client.get(ADMIN).status == 200:
        problems.append(f"password without a code → {no_code.status}")
    code = user.code()
    client, ok = site.sign_in(user, code=code)
    if ok.status != 302 or client.get(ADMIN).status != 200:
        problems.append(f"password and code → {ok.status}")
    _, replay = site.sign_in(user, client=site.client(), code=code)
    if replay.status == 302:
        problems.append("the same code worked a second time")
    if problems:
        return failed("; ".join(problems))
    return held("password alone refused; the code let them in once; its replay was refused")


@attack("C4", "Session fixation: the session key changes at sign-in")
def c4_fixation(run):
    site = run.site
    client = site.client()
    site.start_booking(client)
    before = client.session_cookie
    require(before, "no session cookie before sign-in")
    _, response = site.sign_in(run.users["fixation"], client=client)
    require(response.status == 302, f"sign-in failed: {response.status}")
    after = client.session_cookie
    planted = site.client()
    planted.cookies = {k: v for k, v in client.cookies.items()}
    planted.cookies[next(k for k in client.cookies if k.endswith("sessionid"))] = before
    if after == before or planted.get(ADMIN).status == 200:
        return failed("the session key before sign-in still opens the admin")
    return held("a new session key at sign-in; the old one opens nothing")


@attack("C5", "Logout and password change end other sessions; weak passwords refused (C7)")
def c5_sessions(run):
    site, stack = run.site, run.stack
    user = run.users["sessions"]
    one, two, three = site.staff(user), site.staff(user), site.staff(user)
    saved = dict(one.cookies)
    one.post(f"{ADMIN}logout/", {})
    replay = site.client()
    replay.cookies = saved
    problems = []
    if replay.get(ADMIN).status == 200:
        problems.append("a logged-out session cookie still opens the admin")
    form = f"{ADMIN}password_change/"
    two.get(form)
    for weak in ("password1234", "short", user.username + "2026"):
        r = two.post(form, {"old_password": user.password, "new_password1": weak, "new_password2": weak})
        if r.status == 302:
            problems.append(f"weak password {weak!r} accepted")
            break
    strong = "Ok-" + secrets.token_urlsafe(18)
    r = two.post(form, {"old_password": user.password, "new_password1": strong, "new_password2": strong})
    if r.status != 302:
        problems.append(f"a strong password change → {r.status} {error_texts(r.text)}")
    else:
        user.password = strong
        if three.get(ADMIN).status == 200:
            problems.append("another session survived the password change")
    hashes = stack.sql(
        # An unusable password ('!…', a login that cannot sign in) is not a hash.
        "SELECT count(*) FROM auth_user WHERE password NOT LIKE 'argon2%%' AND password NOT LIKE '!%%'"
    )[0][0]
    if hashes:
        problems.append(f"{hashes} password hash(es) not argon2")
    if problems:
        return failed("; ".join(problems))
    return held("logout and password change end the other sessions; weak passwords refused; argon2 hashes")


@attack("C8", "Reception's appointment page and history hide booking notes")
def c8_notes_hidden(run):
    reception = run.staff("reception")
    appointment = run.facts["main_appointment"]
    notes = run.facts["main"].person.notes
    leaks = [
        path
        for path in (
            f"{ADMIN}clinic/appointment/{appointment}/change/",
            f"{ADMIN}clinic/appointment/{appointment}/history/",
        )
        if notes.lower() in reception.get(path).text.lower()
    ]
    control = run.staff("clinician").get(f"{ADMIN}clinic/appointment/{appointment}/change/")
    require(notes in control.text, "control: the clinician does not see the notes either")
    if leaks:
        return failed("notes shown to Reception on " + ", ".join(leaks))
    return held("notes hidden from Reception (the clinician sees them)")


# --- D: patient links -------------------------------------------------------------------------


@attack("D2", "Unknown, tampered, wrong-purpose and used links all get the same 404")
def d2_bad_tokens(run):
    site = run.site
    manage = run.facts["main"].manage_token
    aftercare = re.match(r"/aftercare/([^/]+)/", run.facts["aftercare_links"][0]).group(1)
    unsubscribe = re.match(r"/email/unsubscribe/([^/]+)/", run.facts["unsubscribe_links"][0]).group(1)
    flipped = manage[:-1] + ("A" if manage[-1] != "A" else "B")
    paths = [
        f"/manage/{secrets.token_urlsafe(32)}/",
        f"/manage/{flipped}/",
        f"/manage/{manage}x/",
        f"/manage/{aftercare}/",
        f"/manage/{unsubscribe}/",
        f"/aftercare/{manage}/",
        f"/aftercare/{unsubscribe}/",
        f"/email/unsubscribe/{manage}/",
        f"/email/unsubscribe/{aftercare}/",
        f"/manage/{manage}/cancel/../../{flipped}/",
    ]
    if run.facts.get("cancelled_token"):
        paths.append(f"/manage/{run.facts['cancelled_token']}/")
    client = site.client()
    responses = [client.get(p) for p in paths]
    statuses = sorted({r.status for r in responses})
    bodies = {r.body for r in responses if r.status in (404, 410)}
    if statuses != [404] and statuses != [410]:
        return failed(f"answers {statuses}, not one 404", paths=[shorten(p) for p in paths])
    if len(bodies) != 1:
        return failed(f"{len(bodies)} different 404 pages: an oracle")
    return held(f"{len(paths)} bad links, one identical 404 page")


@attack("D3", "Link scanners change nothing; cancel works once; the token-free page after it")
def d3_single_use(run):
    site, stack = run.site, run.stack
    a = site.book(run.person("cancel"))
    b = site.book(run.person("bystander"))
    require(a.ok and b.ok, "bookings failed")
    client = site.client()
    for _ in range(3):
        client.get(f"/manage/{a.manage_token}/")
    client.get(f"/manage/{a.manage_token}/cancel/")
    a_id = stack.sql("SELECT id FROM clinic_appointment WHERE reference = %s", (a.reference,))[0][0]
    b_id = stack.sql("SELECT id, status FROM clinic_appointment WHERE reference = %s", (b.reference,))[0]
    problems = []
    if stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (a_id,))[0][0] != "booked":
        problems.append("GETs changed the appointment")
    # D5 (IDOR) and B4 ride along: another booking's id and reference, and a foreign ?next=.
    cancel = client.post(
        f"/manage/{a.manage_token}/cancel/?next=https://evil.test/",
        {"appointment": str(b_id[0]), "reference": b.reference, "id": str(b_id[0]), "next": "https://evil.test/"},
    )
    if cancel.status != 302 or "/manage/" + a.manage_token in (cancel.header("Location") or ""):
        problems.append(f"cancel → {cancel.status} to {shorten(cancel.location)}")
    if "evil.test" in (cancel.header("Location") or ""):
        problems.append("cancel redirected off the site")
    status = stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (a_id,))[0][0]
    if status != "cancelled_patient":
        problems.append(f"after cancelling the appointment is {status}")
    pending = _count(
        stack,
        "clinic_outbox",
        "cause = %s AND status = 'pending' AND kind <> 'booking_cancelled'",
        (f"appointment:{a_id}",),
    )
    if pending:
        problems.append(f"{pending} reminder or confirmation email(s) still pending for the cancelled appointment")
    if stack.sql("SELECT status FROM clinic_appointment WHERE id = %s", (b_id[0],))[0][0] != "booked":
        problems.append("D5: the other patient's appointment changed (IDOR)")
    again = client.post(f"/manage/{a.manage_token}/cancel/", {})
    if again.status not in (404, 410):
        problems.append(f"a second cancel → {again.status}")
    run.facts["cancelled_token"] = a.manage_token
    time.sleep(1)
    cancellations = [m for m in stack.sink.to(a.person.email) if "/manage/" not in m.text()]
    if len(cancellations) > 1:
        problems.append(f"{len(cancellations)} cancellation emails")
    if problems:
        return failed("; ".join(problems))
    return held("3 GETs changed nothing; one POST cancelled (token-free redirect); the second got 404; D5 intact")


@attack("D4", "Patient-link pages: no referrer leak, no caching, no third-party resources")
def d4_token_headers(run):
    site = run.site
    client = site.client()
    paths = [
        f"/manage/{run.facts['main'].manage_token}/",
        f"/manage/{run.facts['main'].manage_token}/cancel/",
        f"/manage/{run.facts['main'].manage_token}/move/",
        aftercare_link(run),
        aftercare_link(run, "check-in/ok/"),
        aftercare_link(run, "check-in/worried/"),
        run.facts["unsubscribe_links"][0],
    ]
    problems = []
    for path in paths:
        r = client.get(path)
        if r.status != 200:
            problems.append(f"{shorten(path)} → {r.status}")
            continue
        policy = (r.header("Referrer-Policy") or "").lower()
        if not policy or any(p not in ("no-referrer", "strict-origin", "same-origin") for p in policy.split(",")):
            problems.append(f"{shorten(path)}: Referrer-Policy {policy!r}")
        if policy.strip() == "same-origin":
            problems.append(f"{shorten(path)}: same-origin sends the token to our own pages")
        if "no-store" not in (r.header("Cache-Control") or ""):
            problems.append(f"{shorten(path)}: Cache-Control {r.header('Cache-Control')!r}")
        third = [
            u for u in scripts_and_handlers(r.text).urls if re.match(r"^(https?:)?//", u) and site.base_url not in u
        ]
        if third:
            problems.append(f"{shorten(path)}: third-party URLs {third[:3]}")
    if problems:
        return failed("; ".join(problems))
    return held(f"{len(paths)} token pages: strict referrer policy, no-store, nothing from elsewhere")


@attack("D6", "Guessing links is throttled (429) and never a 500")
def d6_guessing(run):
    site = run.site
    client = site.client(budget=None)
    limit = site.token_rate
    # The limit counts per whole minute: start early in one, so all the guesses fall in the same window.
    if time.time() % 60 > 40:
        time.sleep(60 - time.time() % 60 + 0.3)
    responses = [client.get(f"/manage/{secrets.token_urlsafe(32)}/") for _ in range(limit + 20)]
    site.budget.exhausted()
    statuses = [r.status for r in responses]
    run.facts["throttled"] = 429 in statuses
    errors = server_errors(responses)
    if errors:
        return failed(f"{len(errors)} 5xx among {len(statuses)} guesses")
    if 429 not in statuses:
        return failed(f"{len(statuses)} guesses in a minute, none throttled")
    return held(f"throttled after {statuses.index(429)} guesses (limit {limit}/min); no 5xx")


@attack("J7d", "Forged X-Forwarded-For does not reset the link-guessing limit", group="table")
def j7_forged_rate(run):
    require(run.facts.get("throttled"), "D6 did not reach the limit: nothing to bypass")
    client = run.site.client(budget=None)

    def control():
        require(
            client.get(f"/manage/{secrets.token_urlsafe(32)}/").status == 429,
            "control: an unforged guess is no longer throttled (the minute's window ended)",
        )

    control()
    statuses = [
        client.get(
            f"/manage/{secrets.token_urlsafe(32)}/",
            headers={"X-Forwarded-For": f"192.0.2.{secrets.randbelow(250) + 1}"},
        ).status
        for _ in range(10)
    ]
    control()
    if any(s != 429 for s in statuses):
        return failed(f"with forged addresses {sum(s != 429 for s in statuses)} of 10 guesses got through: {statuses}")
    return held("all 10 forged-address guesses still throttled (429)")


@attack("D1", "Tokens are long and random; the database holds none of them (only digests)")
def d1_token_storage(run):
    tokens = dict(run.site.tokens)
    require(len(tokens) >= 3, f"only {len(tokens)} tokens seen in emails")
    short = [k for k, t in tokens.items() if len(k) < 43 or not re.fullmatch(r"[A-Za-z0-9_-]+", k)]
    dump = run.stack.pg_dump()
    stored = {token: kind for token, kind in tokens.items() if token in dump}
    tables = sorted({t for token in stored for t in _dump_tables_holding(dump, token)})
    if short or stored:
        kinds = ", ".join(sorted(set(stored.values())))
        return failed(f"{len(short)} short token(s); {len(stored)} raw {kinds} token(s) stored in {', '.join(tables)}")
    return held(f"{len(tokens)} tokens ({', '.join(sorted(set(tokens.values())))}), ≥43 chars; none in a pg_dump")


# --- E: input validation ----------------------------------------------------------------------


def _details_session(site):
    client = site.client()
    slots, _ = site.start_booking(client)
    slot = site.pick_slot(slots)
    r = client.post("/book/times/", {"slot": slot})
    require(r.status == 302, f"choosing a time answered {r.status}")
    return client


@attack("E1", "Fuzzed details (NUL, surrogates, bidi override, 100 KB notes, bad UTF-8) never a 500, never stored")
def e1_fuzz(run):
    site = run.site
    client = _details_session(site)
    base = Person.canary("fuzz").form()
    cases = {
        "NUL in name": {"name": "Ann\x00Lee"},
        "NUL in notes": {"notes": "a\x00b"},
        "NUL in phone": {"phone": "07911\x00123456"},
        "NUL in email": {"email": "a\x00b@example.org"},
        "NUL in date": {"date_of_birth": "1990-01-01\x00"},
        "bidi override": {"name": "Ann \u202eeeL"},
        "100 KB notes": {"notes": "x" * 100_000},
        "1 MB name": {"name": "y" * 1000},
        "zero-width name": {"name": "\u200b\u200b"},
    }
    problems = []
    for label, override in cases.items():
        r = client.post("/book/details/", {**base, **override})
        if r.status >= 500 or r.status == 302:
            problems.append(f"{label} → {r.status}")
    raw_cases = {
        "lone surrogate": b"name=%ED%A0%80&",
        "invalid UTF-8": b"name=%FF%FE%FD&",
        "raw invalid bytes": b"name=\xff\xfe&",
    }
    rest = urllib.parse.urlencode({k: v for k, v in base.items() if k != "name"}).encode()
    for label, prefix in raw_cases.items():
        body = prefix + rest + b"&csrfmiddlewaretoken=" + client.csrf_token.encode()
        r = client.request(
            "POST", "/book/details/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        # Undecodable bytes become U+FFFD (Django decodes forms with errors="replace"): a 302 is fine.
        if r.status >= 500:
            problems.append(f"{label} → {r.status}")
    emoji = client.post("/book/details/", {**base, "name": "Zoë 😀 Smith"})
    if emoji.status != 302:
        problems.append(f"a valid name with an emoji → {emoji.status} {error_texts(emoji.text)}")
    if _count(run.stack, "clinic_patient", "email = %s", (base["email"],)):
        problems.append("a patient was stored before confirming")
    if problems:
        return failed("; ".join(problems))
    return held(f"{len(cases) + len(raw_cases)} hostile inputs refused with a form error; an emoji name accepted")


@attack("E2", "Dates of birth: future, over 120 years, 29 February of a common year, year 1 and 9999")
def e2_dates(run):
    client = _details_session(run.site)
    base = Person.canary("dob").form()
    tomorrow = (clinic_today() + datetime.timedelta(days=1)).isoformat()
    problems = []
    for value in (tomorrow, "1890-01-01", "2023-02-29", "0001-01-01", "9999-12-31", "99999-01-01", "abc", ""):
        r = client.post("/book/details/", {**base, "date_of_birth": value})
        if r.status != 200:
            problems.append(f"{value or 'empty'} → {r.status}")
    if problems:
        return failed("; ".join(problems))
    return held("8 impossible dates, each a form error")


@attack("E3", "Slot tampering: past, outside hours, off the grid, past the horizon, edited end and duration")
def e3_slots(run):
    site, stack = run.site, run.stack
    client = site.client()
    slots, _ = site.start_booking(client)
    real = datetime.datetime.fromisoformat(site.pick_slot(slots))
    yesterday = (real - datetime.timedelta(days=14)).replace(hour=10, minute=0)
    tampered = [
        yesterday.isoformat(),
        real.replace(hour=3, minute=0).isoformat(),
        (real + datetime.timedelta(minutes=7)).isoformat(),
        (real + datetime.timedelta(days=400)).isoformat(),
        "9999-12-31T10:00:00+00:00",
        "0001-01-01T00:00:00+00:00",
        "abc",
        "%00",
    ]
    problems = []
    for value in tampered:
        r = client.post("/book/times/", {"slot": value})
        if r.status == 302 or r.status >= 500:
            problems.append(f"{shorten(value, 30)} → {r.status}")
    person = run.person("slot")
    extra = {"end": "2030-01-01T00:00:00+00:00", "ends_at": "2030-01-01T00:00:00+00:00", "service_duration": "600"}
    booking = site.book(person, client=client, slot=real.isoformat(), extra=extra, wait_mail=False)
    if not booking.ok:
        problems.append(f"a legitimate booking with extra fields stopped at {booking.step} ({booking.status})")
    else:
        minutes = stack.sql(
            "SELECT extract(epoch FROM ends_at - starts_at) / 60 FROM clinic_appointment WHERE reference = %s",
            (booking.reference,),
        )[0][0]
        if int(minutes) != 30:
            problems.append(f"the stored consultation lasts {minutes} minutes")
    if problems:
        return failed("; ".join(problems))
    return held(f"{len(tampered)} tampered times refused; client-sent end and duration ignored")


@attack("E4", "Oversized and malformed requests: 3 MB, 2,000 fields, odd content types → 400/413, not 500")
def e4_malformed(run):
    client = _details_session(run.site)
    token = client.csrf_token
    json_headers = {"Content-Type": "application/json", "X-CSRFToken": token}
    cases = {
        "3 MB body": (
            b"notes=" + b"a" * (3 * 1024 * 1024) + b"&csrfmiddlewaretoken=" + token.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            (400, 413),
        ),
        "2,000 fields": (
            "&".join(f"f{i}=1" for i in range(2000)).encode() + b"&csrfmiddlewaretoken=" + token.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            (400, 413),
        ),
        "JSON body": (json.dumps({"name": "x"}).encode(), json_headers, None),
        "text/plain": (b"name=x", {"Content-Type": "text/plain", "X-CSRFToken": token}, None),
        "broken multipart": (
            b'--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx',
            {"Content-Type": "multipart/form-data; boundary=zz", "X-CSRFToken": token},
            None,
        ),
        "multipart without boundary": (b"x", {"Content-Type": "multipart/form-data", "X-CSRFToken": token}, None),
    }
    problems, seen = [], {}
    for label, (body, headers, wanted) in cases.items():
        try:
            status = client.request("POST", "/book/details/", body=body, headers=headers).status
        except CONNECTION_ERRORS:
            # The server answered an oversized body (413) before reading it all and closed the
            # connection, so the rest of the upload met a reset: refused, never processed.
            status = "closed before the body was read"
            if label != "3 MB body":
                problems.append(f"{label} → the connection was dropped")
        seen[label] = status
        if isinstance(status, int) and (status >= 500 or status == 302 or (wanted and status not in wanted)):
            problems.append(f"{label} → {status}")
    if problems:
        return failed("; ".join(problems), statuses=seen)
    return held(", ".join(f"{k} {v}" for k, v in seen.items()))


@attack("E5", "Phones normalised to E.164, emails to lower case; invalid ones are form errors")
def e5_normalise(run):
    site, stack = run.site, run.stack
    person = run.person("norm")
    person.email = person.email.replace("canary", "CaNaRy")
    booking = site.book(person, wait_mail=False)
    require(booking.ok, f"booking failed at {booking.step}")
    stored = stack.sql(
        "SELECT p.phone, p.email FROM clinic_patient p JOIN clinic_appointment a ON a.patient_id = p.id "
        "WHERE a.reference = %s",
        (booking.reference,),
    )[0]
    problems = []
    if stored[0] != person.phone_e164:
        problems.append(f"phone stored as {stored[0]!r}")
    if stored[1] != stored[1].lower():
        problems.append("email stored with capitals")
    client = _details_session(site)
    base = Person.canary("norm").form()
    for field_name, value in (("phone", "12345"), ("phone", "+44 12"), ("phone", "call me"), ("email", "not-an-email")):
        r = client.post("/book/details/", {**base, field_name: value})
        if r.status != 200:
            problems.append(f"{field_name}={value!r} → {r.status}")
    if problems:
        return failed("; ".join(problems))
    return held("phone stored in E.164, email lower-cased; 4 invalid values refused")


# --- F: the booking race ----------------------------------------------------------------------


@attack("F1", "Hundreds of simultaneous confirmations of one slot: one appointment, one email", group="table")
def f1_race(run):
    site, stack = run.site, run.stack
    n = run.race_clients
    practitioner = site.practitioner_ids()[0]
    probe = site.client()
    week = (clinic_today() + datetime.timedelta(days=21)).isoformat()
    slots, _ = site.start_booking(probe, practitioner=practitioner, week=week)
    slot = site.pick_slot(slots, last=True)
    seed = site.client()
    seed.get(f"{ADMIN}login/")
    csrf = {k: v for k, v in seed.cookies.items() if k.endswith("csrftoken")}
    require(csrf, "no CSRF cookie to share")
    tag = rand(6)

    def prepare(i):
        client = site.client(timeout=120)
        client.cookies.update(csrf)
        person = Person.canary("race")
        person.email = f"race-{tag}-{i}@example.org"
        steps = [
            client.get(f"/book/?consultation_type={KIND}&practitioner={practitioner}"),
            client.post("/book/times/", {"slot": slot}),
            client.post("/book/details/", person.form()),
            client.post("/book/questions/", person.answers),
        ]
        client.close()
        if [r.status for r in steps] != [302, 302, 302, 302]:
            raise AttackError(f"race client {i} could not reach the review step: {[r.status for r in steps]}")
        return client

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        clients = list(pool.map(prepare, range(n)))
    prepared = time.monotonic() - started
    barrier = threading.Barrier(n, timeout=120)
    statuses = [None] * n

    def confirm(i):
        client = clients[i]
        key = f"race-{tag}-{i:04d}-{secrets.token_hex(6)}"
        try:
            barrier.wait()
            statuses[i] = client.post("/book/review/", {"idempotency_key": key}, retry=False).status
        except Exception as exc:  # a refused or reset connection is a result too
            statuses[i] = type(exc).__name__
        finally:
            client.close()

    threads = [threading.Thread(target=confirm, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 240
    for t in threads:
        t.join(timeout=max(1, deadline - time.monotonic()))
    raced = time.monotonic() - started - prepared
    wins = statuses.count(302)
    other = {s: statuses.count(s) for s in set(statuses) if s not in (302, 409)}
    starts = datetime.datetime.fromisoformat(slot)
    rows = stack.sql(
        "SELECT id FROM clinic_appointment WHERE practitioner_id = %s AND starts_at = %s "
        "AND status IN ('booked', 'attended', 'no_show')",
        (int(practitioner), starts),
    )
    emails_queued = (
        _count(stack, "clinic_outbox", "kind = 'booking_confirmed' AND cause = %s", (f"appointment:{rows[0][0]}",))
        if len(rows) == 1
        else None
    )
    race_mail = lambda: [m for m in stack.sink.messages if any(f"race-{tag}-" in r for r in m.rcpt_tos)]  # noqa: E731
    with _suppress_timeout():
        stack.sink.wait_for(lambda m: any(f"race-{tag}-" in r for r in m.rcpt_tos), timeout=30)
    time.sleep(3)
    sent = len(race_mail())
    summary = (
        f"{n} clients: {wins} booked, {statuses.count(409)} × 409, other {other or 'none'}; "
        f"{len(rows)} appointment(s), {emails_queued} confirmation row(s), {sent} email(s) at the sink "
        f"(prepared in {prepared:.0f} s, raced in {raced:.0f} s)"
    )
    if wins == 1 and len(rows) == 1 and emails_queued == 1 and sent == 1 and not other:
        return held(summary)
    return failed(summary)


class _suppress_timeout:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is TimeoutError


# --- J6: Redis outages ----------------------------------------------------------------------------

CONTENT_PAGES = ["/", "/milia/", "/treatments/", "/treatments/laser/", "/treatments/extraction/", "/search/?q=laser"]


def _token_pages(run):
    return [
        f"/manage/{run.facts['main'].manage_token}/",
        aftercare_link(run),
        aftercare_link(run, "check-in/ok/"),
        aftercare_link(run, "check-in/worried/"),
        run.facts["unsubscribe_links"][0],
    ]


def _timed_gets(site, paths, timeout):
    def one(path):
        client = site.client(timeout=timeout)
        started = time.monotonic()
        try:
            r = client.get(path, retry=False)
            return path, r.status, time.monotonic() - started
        except Exception as exc:  # timeouts are the finding here
            return path, type(exc).__name__, time.monotonic() - started
        finally:
            client.close()

    with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(one, paths))


@attack(
    "J6",
    "Redis hung, then stopped: content and patient-link pages answer 200 within 2 s; caching resumes",
    group="table",
)
def j6_redis(run):
    site, stack = run.site, run.stack
    pages = CONTENT_PAGES + _token_pages(run)
    client = site.client()
    for path in CONTENT_PAGES:
        client.get(path)
    require(stack.redis_keys(1, "*template.cache*"), "control: no cached page fragments in Redis before the fault")
    problems, timings = [], {}
    for phase, fault, heal in (
        ("hung", stack.redis_hang, stack.redis_resume),
        ("stopped", stack.redis_stop, stack.redis_start),
    ):
        fault()
        try:
            results = _timed_gets(site, pages, timeout=6)
        finally:
            heal()
        timings[phase] = {shorten(p): (s, round(t, 2)) for p, s, t in results}
        bad = [f"{shorten(p)} {s} in {t:.1f} s" for p, s, t in results if s != 200 or t >= 2]
        if bad:
            problems.append(f"Redis {phase}: " + ", ".join(bad))
    site.budget.window = None  # the limiter counted nothing while Redis was away

    def cached_again():
        client.get("/milia/")
        client.get("/treatments/laser/")
        return stack.redis_keys(1, "*template.cache*")

    try:
        from tests.support.stack import wait_until

        wait_until(cached_again, timeout=25, every=1, what="fragments cached again")
    except TimeoutError:
        problems.append("no page fragment cached in Redis within 25 s of its return")
    if problems:
        return failed("; ".join(problems), timings=timings)
    slowest = max(t for phase in timings.values() for _, t in phase.values())
    return held(f"{len(pages)} pages × 2 faults all 200, slowest {slowest:.2f} s; caching resumed")


@attack("G6", "A patient confirms a booking while Redis hangs: success within 3 s, rows committed")
def g6_book_redis_hung(run):
    site, stack = run.site, run.stack
    person = run.person("redis")
    client = site.client(timeout=15)
    booking = site.book(person, client=client, confirm=False)
    require(booking.ok, f"could not reach the review step: {booking.step}")
    key = input_value(client.get("/book/review/").text, "idempotency_key")
    stack.redis_hang()
    try:
        started = time.monotonic()
        try:
            r = client.post("/book/review/", {"idempotency_key": key}, retry=False)
            status = r.status
        except Exception as exc:  # a timeout is the finding
            status = type(exc).__name__
        elapsed = time.monotonic() - started
    finally:
        stack.redis_resume()
    rows = stack.sql(
        "SELECT a.id FROM clinic_appointment a JOIN clinic_patient p ON p.id = a.patient_id WHERE p.email = %s",
        (person.email,),
    )
    emails = _count(stack, "clinic_outbox", "cause = %s", (f"appointment:{rows[0][0]}",)) if rows else 0
    if status == 302 and elapsed < 3 and rows and emails:
        return held(f"booked in {elapsed:.2f} s; appointment and {emails} outbox row(s) committed")
    return failed(f"confirm → {status} in {elapsed:.1f} s; {len(rows)} appointment(s), {emails} email row(s)")


# --- J4 and J9: the logs -----------------------------------------------------------------------


def j4_traffic(run):
    """What J4 looks for in the logs: every kind of patient link followed, staff searches, a forced 500."""
    site, stack = run.site, run.stack
    booking = run.facts["main"]
    person = booking.person
    patient = site.client()
    manage = booking.manage_token
    traffic = [
        patient.get(f"/manage/{manage}/"),
        patient.get(f"/manage/{manage}/cancel/"),
        patient.get(f"/manage/{manage}/move/"),
        patient.get(f"/manage/{manage}/?email={q(person.email)}&name={q(person.name)}"),
    ]
    for path in run.facts["aftercare_links"]:
        traffic.append(patient.get(path))
    ok = aftercare_link(run, "check-in/ok/")
    traffic.append(patient.post(ok, {"message": ""}))
    unsubscribe = run.facts["unsubscribe_links"][0]
    traffic.append(patient.get(unsubscribe))
    traffic.append(patient.post(unsubscribe, {}))
    reception = run.staff("reception")
    for value in (person.name, person.email, person.phone, person.phone_e164, person.name.split()[1]):
        traffic.append(reception.get(f"{ADMIN}clinic/patient/?q={q(value)}"))
        traffic.append(reception.get(f"{ADMIN}clinic/appointment/?q={q(value)}"))
    traffic.append(reception.get(f"{ADMIN}clinic/outbox/?q={q(person.email)}"))
    # A forced 500: the database goes away for a moment under a patient link, a booking and a staff search.
    stack.pg_stop("fast")
    try:
        forced = [
            site.client().get(f"/manage/{manage}/?email={q(person.email)}"),
            site.client().get(aftercare_link(run)),
            reception.get(f"{ADMIN}clinic/patient/?q={q(person.name)}"),
        ]
    finally:
        stack.pg_start()
    run.facts["forced"] = [r.status for r in forced]
    from tests.support.stack import wait_until

    wait_until(lambda: site.client().get("/healthz/").status == 200, timeout=30, every=0.5, what="site back")
    run.facts["j4_traffic"] = [r.status for r in traffic]


@attack("J4", "No token, name, email, phone or clinical text in any log the stack writes", group="table")
def j4_logs(run):
    stack = run.stack
    require(any(s >= 500 for s in run.facts.get("forced", [])), f"control: no 5xx forced ({run.facts.get('forced')})")
    access = stack.logs / "gunicorn-access.log"
    require(access.exists() and "/admin/clinic/patient/" in access.read_text(), "control: the access log is empty")
    worker = (stack.logs / "worker.log").read_text(errors="replace")
    require("send_outbox_email" in worker, "control: the worker's log shows no email task")
    needles = run.needles()
    needles["token"] = {t.lower() for t in run.site.tokens}
    hits = {}
    for path in stack.log_files():
        text = path.read_text(errors="replace").lower()
        for kind, values in needles.items():
            for value in values:
                if value in text:
                    hits.setdefault(path.name, set()).add(kind)
    checked = sum(len(v) for v in needles.values())
    if hits:
        where = "; ".join(f"{name}: {', '.join(sorted(kinds))}" for name, kinds in sorted(hits.items()))
        return failed(where, files=[p.name for p in stack.log_files()])
    return held(f"{checked} canaries and tokens, {len(stack.log_files())} log files, no hit")


@attack("J9", "No 'Logging error' in any log (the redaction filter never breaks a record)", group="table")
def j9_logging_errors(run):
    stack = run.stack
    worker = (stack.logs / "worker.log").read_text(errors="replace")
    require("succeeded" in worker or "received" in worker, "control: no task events in the worker's log")
    found = {}
    for path in stack.log_files():
        text = path.read_text(errors="replace")
        count = text.count("--- Logging error ---")
        if count:
            found[path.name] = count
    if found:
        return failed("Logging error tracebacks: " + ", ".join(f"{k} × {v}" for k, v in found.items()))
    return held(f"{len(stack.log_files())} log files, no 'Logging error'")
