"""H4: expired sessions and old login records are deleted; recent ones are kept."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from clinic.staff import tasks

pytestmark = pytest.mark.django_db


def test_H4_the_daily_purge_deletes_expired_sessions_and_old_login_records_only(time_machine):
    now = timezone.now()
    expired, live = SessionStore(), SessionStore()
    expired.set_expiry(1)
    expired.create()
    live.create()
    old = AccessAttempt.objects.create(username="old", ip_address="127.0.0.1", failures_since_start=1)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=now - datetime.timedelta(days=91))
    recent = AccessAttempt.objects.create(username="recent", ip_address="127.0.0.1", failures_since_start=1)
    old_log = AccessLog.objects.create(username="old", ip_address="127.0.0.1")
    AccessLog.objects.filter(pk=old_log.pk).update(attempt_time=now - datetime.timedelta(days=91))

    time_machine.move_to(now + datetime.timedelta(seconds=5))
    tasks.purge_expired_records()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLog.objects.exists()
