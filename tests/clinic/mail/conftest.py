"""Outbox tests' fixtures: a real SMTP server on loopback, and what this process publishes to the broker."""

import base64
import json
from pathlib import Path

import pytest

from tests.support.smtp_sink import smtp_sink


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, with Django's SMTP backend pointed at it. Script it with .plan."""
    with smtp_sink() as (handler, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield handler


@pytest.fixture
def broker_messages(settings):
    """The tasks this process publishes to the test's file broker: a function returning (headers, args) pairs."""
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
    for old in folder.glob("*.msg"):
        old.unlink()

    def read():
        found = []
        for message_file in sorted(folder.glob("*.msg")):
            message = json.loads(message_file.read_text())
            args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
            found.append((message["headers"], args, kwargs, message_file.read_text()))
        return found

    return read
