"""Sessions saved in one statement (clinic.lib.session_store), with Django's database store's guarantees."""

import datetime

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.lib.session_store import SessionStore

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def statements(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return [q["sql"].split()[0] for q in queries.captured_queries]


def test_a_new_session_is_one_insert_and_a_change_one_update(on_postgres):
    store = SessionStore()
    store["booking"] = {"type": "milia-consultation"}
    assert statements(store.save) == ["INSERT"]
    store["booking"] = {"type": "laser"}
    assert statements(store.save) == ["UPDATE"]
    assert SessionStore(store.session_key)["booking"] == {"type": "laser"}
    store.set_expiry(60)
    store.save()
    expires = Session.objects.get(pk=store.session_key).expire_date
    assert 55 <= (expires - timezone.now()).total_seconds() <= 60  # the expiry is written with the data


def test_a_key_already_taken_is_refused_by_the_table_and_a_new_one_made(on_postgres, monkeypatch):
    taken = SessionStore()
    taken["who"] = "first"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    second = SessionStore()
    second["who"] = "second"
    second.save()
    assert second.session_key == "b" * 32
    assert SessionStore(taken.session_key)["who"] == "first"  # not overwritten
    assert Session.objects.count() == 2


def test_saving_a_session_deleted_meanwhile_is_an_update_error(on_postgres):
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.all().delete()
    store["x"] = 2
    with pytest.raises(UpdateError):
        store.save()


def test_a_session_is_read_in_one_select_until_it_expires(on_postgres):
    store = SessionStore()
    store["booking"] = {"type": "milia-consultation"}
    store.save()
    reading = SessionStore(store.session_key)
    assert statements(reading.load) == ["SELECT"]
    assert reading["booking"] == {"type": "milia-consultation"}
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a save makes a new session, never revives the expired one
    assert SessionStore("x" * 32).load() == {}
