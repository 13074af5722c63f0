"""F5: eight threads book four slots at once on a file SQLite database; prints what happened.

Run as a script (its own process, its own database):
    python tests/support/sqlite_race.py DB_PATH immediate|deferred
"""

import datetime
import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
db_path, mode = sys.argv[1], sys.argv[2]
os.environ.update(DEBUG="true", DATABASE_URL=f"sqlite:///{db_path}", VAR_DIR=str(Path(db_path).parent))
os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.booking.services import PatientDetails, SlotUnavailable, book_consultation  # noqa: E402
from clinic.demo import load_demo_schedule  # noqa: E402
from clinic.lib.clock import clinic_tz  # noqa: E402
from clinic.models import Appointment, ConsultationType, Practitioner  # noqa: E402

call_command("migrate", verbosity=0)
load_demo_schedule()
connection.close()
if mode == "deferred":
    # The negative control: without IMMEDIATE, two writers that both read first collide.
    settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode")

kind = ConsultationType.objects.get(slug="milia-consultation")
practitioner = Practitioner.objects.get(name="Dr Amira Shah")
now = timezone.now()
day = (now + datetime.timedelta(days=2)).astimezone(clinic_tz()).date()
while day.weekday() > 4:
    day += datetime.timedelta(days=1)
slots = [datetime.datetime.combine(day, datetime.time(hour), clinic_tz()) for hour in (9, 10, 11, 14)]
barrier = threading.Barrier(8, timeout=30)
outcomes = []


def attempt(n):
    barrier.wait()
    try:
        book_consultation(
            consultation_type=kind,
            practitioner=practitioner,
            starts_at=slots[n % 4],
            details=PatientDetails(f"Patient {n}", f"p{n}@example.org", "+447911123456", None),
            answers=dict.fromkeys(
                ["cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy"],
                "no",
            ),
            notes="",
            idempotency_key=f"sqlite-race-{n:04d}",
            now=now,
        )
        outcomes.append("booked")
    except SlotUnavailable:
        outcomes.append("slot_taken")
    except OperationalError as error:
        outcomes.append("locked" if "locked" in str(error) else f"other: {error}")
    finally:
        connection.close()


threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=60)
per_slot = [Appointment.objects.active().filter(starts_at=slot).count() for slot in slots]
print(json.dumps({"outcomes": sorted(outcomes), "per_slot": per_slot}))
