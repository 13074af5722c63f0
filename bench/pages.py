"""What people wait for, measured in process: content pages, the time picker, the booking, the desk's lists."""

import re
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

from clinic.models import Practitioner
from tests.clinic.booking.flow import ANSWERS, DETAILS
from tests.staff_fixtures import sign_in

from . import seed
from .timing import measure, summary, timed

SLOT = re.compile(r'name="slot"[^>]*? value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key"[^>]*? value="([^"]+)"')
CONTENT = ("/", "/milia/", "/treatments/", "/treatments/laser/")
PICKER = "/book/times/"
# What the staff searches type: patient 12's whole name, the start of their email. Patient 12 exists
# at every size and has about three appointments in each, and no other patient's name or email
# holds these words (tests/test_bench_seed.py), so each search finds the same rows whatever the history.
SEARCHED = 12
SEARCHES = {"name": seed.patient_name(SEARCHED), "email": seed.patient_email(SEARCHED).split(".")[0]}


def ok(response):
    assert response.status_code == 200, (response.status_code, response.get("Location"))


def picker_choice(practitioner: str) -> dict[str, str]:
    """Step 1's query (a GET form): a consultation with `practitioner` (a pk, or "any" for no preference)."""
    return {"consultation_type": "milia-consultation", "practitioner": practitioner}


def picker_cases() -> list[tuple[str, str, dict[str, str]]]:
    """(figure's name, practitioner chosen at step 1, query of the picker) for each time-picker figure."""
    one = str(Practitioner.objects.order_by("pk").values_list("pk", flat=True).first())
    return [
        (f"time picker: {label}, {what}", who, query)
        for label, who in (("one practitioner", one), ("no preference", "any"))
        for what, query in (("week", {}), ("first available", {"first": "1"}))
    ]


def picker_client(practitioner: str) -> Client:
    client = Client()
    response = client.get("/book/", picker_choice(practitioner))
    assert response.status_code == 302, response.status_code
    return client


def static_path() -> str:
    return staticfiles_storage.url("css/site.css")


def floors(repeat: int) -> dict:
    """The trivial view and a static file: what every other figure is divided by."""
    client = Client()
    path = static_path()
    return {
        "trivial view": measure(lambda: client.get("/bench/trivial/"), repeat=repeat, check=ok),
        "static file": measure(lambda: b"".join(client.get(path).streaming_content), repeat=repeat),
    }


def content(repeat: int) -> dict:
    client = Client()
    return {f"GET {path}": measure(lambda path=path: client.get(path), repeat=repeat, check=ok) for path in CONTENT}


def picker(repeat: int) -> dict:
    results = {}
    for name, who, query in picker_cases():
        client = picker_client(who)
        results[name] = measure(lambda c=client, q=query: c.get(PICKER, q), repeat=repeat, check=ok)
    return results


def booking(iterations: int) -> dict:
    """The whole flow, `iterations` times, each booking the first available time with no preference."""
    steps: dict[str, list[tuple[float, int]]] = {}

    def step(name, call, expect):
        response, ms, queries = timed(call)
        assert response.status_code == expect, (name, response.status_code)
        steps.setdefault(name, []).append((ms, queries))
        return response

    client = Client()  # one handler, as a server process has; each booking a new browser (no cookies)
    for _ in range(iterations):
        client.cookies.clear()
        flow(client, step)
    results = {name: {**summary([ms for ms, _ in runs]), "queries": runs[-1][1]} for name, runs in steps.items()}
    per_flow = [sum(runs[i][0] for runs in steps.values()) for i in range(iterations)]
    results["whole flow"] = {**summary(per_flow), "queries": sum(runs[-1][1] for runs in steps.values())}
    return results


def flow(client, step):
    """One booking, step by step; `step(name, call, expected status)` times each request."""
    step("1 choose (GET, redirect)", lambda: client.get("/book/", picker_choice("any")), 302)
    page = step("2 times (GET first available)", lambda: client.get("/book/times/", {"first": "1"}), 200)
    slot = SLOT.search(page.content.decode()).group(1)
    step("2 times (POST)", lambda: client.post("/book/times/", {"slot": slot}), 302)
    step("3 details (GET)", lambda: client.get("/book/details/"), 200)
    step("3 details (POST)", lambda: client.post("/book/details/", DETAILS), 302)
    step("4 questions (GET)", lambda: client.get("/book/questions/"), 200)
    step("4 questions (POST)", lambda: client.post("/book/questions/", ANSWERS), 302)
    page = step("5 review (GET)", lambda: client.get("/book/review/"), 200)
    key = KEY.search(page.content.decode()).group(1)
    step("5 review (POST: book)", lambda: client.post("/book/review/", {"idempotency_key": key}), 302)
    step("6 confirmed (GET)", lambda: client.get("/book/confirmed/"), 200)


def staff(repeat: int) -> dict:
    user, _ = get_user_model().objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Clinic manager"))
    client = sign_in(Client(), user)
    pages = {
        "agenda (today)": "/admin/agenda/",
        "appointments list": "/admin/clinic/appointment/",
        "appointments search (name)": "/admin/clinic/appointment/?" + urlencode({"q": SEARCHES["name"]}),
        "patients search (email)": "/admin/clinic/patient/?" + urlencode({"q": SEARCHES["email"]}),
    }
    return {name: measure(lambda p=path: client.get(p), repeat=repeat, check=ok) for name, path in pages.items()}
