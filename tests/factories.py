"""factory_boy factories for the tests (colleagues: append yours below)."""

import datetime
import uuid

import factory
from factory.django import DjangoModelFactory

from clinic.models import Outbox

# A fixed moment for rows whose times do not matter to the test.
T0 = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


class OutboxFactory(DjangoModelFactory):
    class Meta:
        model = Outbox

    recipient = factory.Sequence(lambda n: f"patient{n}@example.test")
    subject = "A message from Riverside Skin Clinic"
    body_text = "Hello.\n"
    body_html = "<p>Hello.</p>"
    kind = "test_message"
    cause = factory.Sequence(lambda n: f"test:{n}")
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    send_after = T0
    next_attempt_at = factory.SelfAttribute("send_after")
    message_id = factory.LazyFunction(lambda: f"<{uuid.uuid4().hex}@clinic.test>")
    created_at = T0
