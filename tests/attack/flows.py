"""What patients and staff do on the site, over HTTP: book, follow email links, sign in, use the admin."""

import datetime
import re
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import phonenumbers

from tests.support.stack import PROXY_ADDRESS

from .client import Client, admin_change_links, error_texts, input_value, radio_values

CLINIC_ZONE = ZoneInfo("Europe/London")
ADMIN = "/admin/"
KIND = "milia-consultation"
ANSWERS_NO = dict.fromkeys(
    ["cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy"], "no"
)


def clinic_today():
    """Today in the stack's clinic time (Europe/London, the default CLINIC_TIME_ZONE)."""
    return datetime.datetime.now(CLINIC_ZONE).date()


REFERENCE = re.compile(r'class="booking-reference">([A-Z0-9]{10})<')
TOKEN_LINK = re.compile(r"^/(manage|aftercare|email/unsubscribe)/([A-Za-z0-9_-]+)/")


def rand(n=6):
    return secrets.token_hex(n // 2 + 1)[:n]


def valid_phone():
    """A random UK mobile number phonenumbers accepts, as a patient types it: (typed, E.164)."""
    for _ in range(200):
        typed = f"07911 {secrets.randbelow(10**6):06d}"
        number = phonenumbers.parse(typed, "GB")
        if phonenumbers.is_valid_number(number):
            return typed, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise RuntimeError("no valid phone number")  # pragma: no cover


@dataclass
class Person:
    """A patient's details, each a canary (unique to this run) so it can be grepped for."""

    name: str
    email: str
    phone: str  # as typed
    phone_e164: str
    date_of_birth: str
    notes: str = ""
    marketing: bool = False
    answers: dict = field(default_factory=lambda: dict(ANSWERS_NO))

    @classmethod
    def canary(cls, label, *, notes=True, **overrides):
        tag = rand(6)
        typed, e164 = valid_phone()
        person = cls(
            name=f"Canary{label.capitalize()} Patient{tag}",
            email=f"canary-{label}-{tag}@example.org",
            phone=typed,
            phone_e164=e164,
            date_of_birth=f"19{secrets.randbelow(60) + 30}-0{secrets.randbelow(9) + 1}-1{secrets.randbelow(9) + 1}",
            notes=f"CANARY-NOTES-{label}-{tag} my left eyelid" if notes else "",
        )
        for key, value in overrides.items():
            setattr(person, key, value)
        return person

    def form(self):
        data = {
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "date_of_birth": self.date_of_birth,
            "notes": self.notes,
            "privacy_consent": "on",
        }
        if self.marketing:
            data["marketing_consent"] = "on"
        return data


@dataclass
class Booking:
    person: Person
    ok: bool = False
    step: str = ""  # the step it stopped at when not ok
    status: int = 0
    reference: str = ""
    slot: str = ""
    errors: list = field(default_factory=list)
    statuses: list = field(default_factory=list)  # every (method, path, status) on the way
    manage_token: str = ""
    mail: object = None


class Site:
    """The attack's view of the stack: clients, staff sign-ins, tokens seen, slots used."""

    def __init__(self, stack, *, token_rate):
        from .client import TokenRateBudget

        self.stack = stack
        self.base_url = stack.base_url
        self.context = stack.ssl_context()
        self.budget = TokenRateBudget(token_rate)
        self.token_rate = token_rate
        self.tokens = {}  # raw token -> kind (every patient-link token seen in an email)
        self.used_slots = set()
        self.practitioners = []
        self.seen_mail = set()

    def client(self, **kwargs):
        kwargs.setdefault("budget", self.budget)
        return Client(self.base_url, self.context, **kwargs)

    def proxy_client(self, **kwargs):
        """A client speaking from the trusted proxy's address (TRUSTED_PROXIES in the stack)."""
        return self.client(source_address=(PROXY_ADDRESS, 0), **kwargs)

    # --- booking ---

    def practitioner_ids(self):
        if not self.practitioners:
            page = self.client().get("/book/")
            self.practitioners = [v for v in radio_values(page.text, "practitioner") if v != "any"]
        return self.practitioners

    def start_booking(self, client, *, practitioner="any", week=None):
        """Steps 1-2 up to the list of times: (the free slot values shown, the times page)."""
        r = client.get(f"/book/?consultation_type={KIND}&practitioner={practitioner}")
        if r.status != 302:
            raise AssertionError(f"choosing a consultation answered {r.status}")
        times = client.get("/book/times/" + (f"?week={week}" if week else "?first=1"))
        if times.status != 200:
            raise AssertionError(f"the times page answered {times.status}")
        return radio_values(times.text, "slot"), times

    def pick_slot(self, slots, *, last=False):
        free = [s for s in slots if s not in self.used_slots]
        if not free:
            raise AssertionError("no free slot left on the times page")
        slot = free[-1] if last else free[0]
        self.used_slots.add(slot)
        return slot

    def book(
        self, person, *, client=None, practitioner="any", slot=None, extra=None, confirm=True, wait_mail=True, week=7
    ):
        """Walk the five steps as a patient would; returns a Booking (ok, reference, manage token).

        The time is the first free one in the week `week` days ahead (beyond the cancellation
        cut-off, so the patient can still cancel and move online).
        """
        client = client or self.client()
        booking = Booking(person)
        extra = extra or {}

        def step(name, response, expected=302):
            booking.statuses.append((response.method, response.path, response.status))
            booking.status = response.status
            if response.status != expected:
                booking.step = name
                booking.errors = error_texts(response.text)
                return False
            return True

        slots, _ = self.start_booking(
            client, practitioner=practitioner, week=(clinic_today() + datetime.timedelta(days=week)).isoformat()
        )
        booking.slot = slot or self.pick_slot(slots)
        if not step("time", client.post("/book/times/", {"slot": booking.slot, **extra})):
            return booking
        if not step("details", client.post("/book/details/", {**person.form(), **extra})):
            return booking
        if not step("questions", client.post("/book/questions/", {**person.answers, **extra})):
            return booking
        review = client.get("/book/review/")
        if not step("review", review, 200):
            return booking
        if not confirm:
            booking.ok = True
            return booking
        key = input_value(review.text, "idempotency_key")
        if not step("confirm", client.post("/book/review/", {"idempotency_key": key, **extra})):
            return booking
        confirmed = client.get("/book/confirmed/")
        if not step("confirmed", confirmed, 200):
            return booking
        match = REFERENCE.search(confirmed.text)
        booking.reference = match.group(1) if match else ""
        booking.ok = True
        if wait_mail:
            mail = self.wait_mail(person.email, lambda m: "/manage/" in m.text())
            booking.mail = mail
            booking.manage_token = self.token_in(mail, "manage")
        return booking

    # --- email ---

    def wait_mail(self, address, predicate=lambda m: True, *, timeout=40):
        """The first message to `address` matching `predicate` not returned before."""

        def match(m):
            return (
                m.message_id not in self.seen_mail
                and any(r.lower() == address.lower() for r in m.rcpt_tos)
                and predicate(m)
            )

        mail = self.stack.sink.wait_for(match, timeout=timeout)[0]
        self.seen_mail.add(mail.message_id)
        for path in mail.links(self.base_url):
            found = TOKEN_LINK.match(path)
            if found:
                self.tokens[found.group(2)] = found.group(1)
        return mail

    def token_in(self, mail, kind):
        for path in mail.links(self.base_url):
            found = TOKEN_LINK.match(path)
            if found and found.group(1) == kind:
                return found.group(2)
        return ""

    def links_in(self, mail, kind):
        return [p for p in mail.links(self.base_url) if (m := TOKEN_LINK.match(p)) and m.group(1) == kind]

    # --- staff ---

    def sign_in(self, user, *, client=None, password=None, code=None, next_url=ADMIN, headers=None):
        """POST the admin login form; returns (client, response). Success is a 302 to `next_url`."""
        client = client or self.client()
        client.get(f"{ADMIN}login/?next={urllib.parse.quote(next_url, safe='/')}", headers=headers)
        code = user.code() if code is None else code
        data = {
            "username": user.username,
            "password": user.password if password is None else password,
            "otp_token": code,
            "next": next_url,
        }
        response = client.post(f"{ADMIN}login/?next={urllib.parse.quote(next_url, safe='/')}", data, headers=headers)
        if response.status == 302 and code in user._pending:
            user.accepted(code)
        return client, response

    def staff(self, user):
        """A signed-in admin client for `user` (raises if the sign-in fails)."""
        client, response = self.sign_in(user)
        if response.status != 302:
            raise AssertionError(f"{user.username} could not sign in: {response.status} {error_texts(response.text)}")
        return client

    def appointment_id(self, staff_client, reference):
        page = staff_client.get(f"{ADMIN}clinic/appointment/?q={reference}")
        ids = admin_change_links(page.text, "clinic", "appointment")
        if not ids:
            raise AssertionError(f"appointment {reference} not found in the admin ({page.status})")
        return ids[0]

    def patient_id(self, reference):
        rows = self.stack.sql("SELECT patient_id FROM clinic_appointment WHERE reference = %s", (reference,))
        return rows[0][0] if rows else None

    def record_treatment(self, clinician, appointment_id, *, notes, days_ago=2):
        """Record a treatment from an appointment, performed `days_ago` days back (starts its aftercare)."""
        form = clinician.get(f"{ADMIN}clinic/treatmentrecord/add/?appointment={appointment_id}")
        if form.status != 200:
            raise AssertionError(f"treatment record form answered {form.status}")
        from .client import select_options

        treatments = select_options(form.text, "treatment")
        treatment = next((v for v, label, _ in treatments if "xtraction" in label), None) or next(
            v for v, _, _ in treatments if v
        )
        patient = next((v for v, _, sel in select_options(form.text, "patient") if sel), "")
        practitioner = next((v for v, _, sel in select_options(form.text, "practitioner") if sel), "")
        day = clinic_today() - datetime.timedelta(days=days_ago)
        data = {
            "appointment": str(appointment_id),
            "patient": patient,
            "treatment": treatment,
            "practitioner": practitioner,
            "performed_at_0": day.isoformat(),
            "performed_at_1": "10:00:00",
            "notes": notes,
            "_save": "Save",
        }
        response = clinician.post(f"{ADMIN}clinic/treatmentrecord/add/", data)
        if response.status != 302:
            raise AssertionError(f"recording a treatment answered {response.status}: {error_texts(response.text)}")
        rows = self.stack.sql(
            "SELECT id FROM clinic_treatmentrecord WHERE appointment_id = %s ORDER BY id DESC", (appointment_id,)
        )
        return rows[0][0]


def at_least(seconds, started):
    """Sleep so that at least `seconds` have passed since `started` (monotonic)."""
    left = seconds - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)
