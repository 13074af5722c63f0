"""The slot search's query is prepared once per PostgreSQL connection: the same rows, one query each time."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from clinic.booking import diary, schedule
from clinic.lib import prepared
from clinic.models import Practitioner
from tests.clinic_fixtures import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TODAY = NOW.date()


def search(kind, practitioner=None):
    week = {"first_day": TODAY, "last_day": TODAY + datetime.timedelta(days=13), "now": NOW}
    return schedule.free_slots(consultation_type=kind, practitioner=practitioner, **week)


def plans():
    """{prepared statement of ours: (times run with its one general plan, times planned afresh)} on this connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE %s", ["clinic_%"]
        )
        return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}


def executions():
    """{prepared statement of ours: times it ran} on this connection."""
    return {name: sum(counts) for name, counts in plans().items()}


def setting(name):
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_each_search_is_one_query_and_the_statement_is_planned_once_per_connection(
    on_postgres, consultation, django_assert_num_queries
):
    connection.close()
    with django_assert_num_queries(1):  # PREPARE and EXECUTE in one round trip
        first = search(consultation)
    with django_assert_num_queries(1):
        again = search(consultation)
    name = prepared.name_for(diary._sql(one_practitioner=False, ignoring_one=False))
    assert plans() == {name: (2, 0)}
    assert first == again and first


def test_the_prepared_search_finds_what_the_query_run_as_written_finds(on_postgres, consultation, monkeypatch):
    dr = Practitioner.objects.order_by("pk").first()
    found = [search(consultation), search(consultation, dr)]
    assert len(executions()) == 2  # one statement per query text: with and without a practitioner
    monkeypatch.setattr(prepared, "execute", lambda cursor, sql, params: cursor.execute(sql, params))
    assert found == [search(consultation), search(consultation, dr)]


def test_a_rolled_back_transaction_keeps_the_statement_and_a_new_connection_prepares_again(on_postgres, consultation):
    connection.close()
    with transaction.atomic():
        expected = search(consultation)
        transaction.set_rollback(True)  # the transaction that prepared it is rolled back
    assert search(consultation) == expected  # EXECUTE alone: PREPARE outlived the rollback
    assert list(executions().values()) == [2]
    connection.close()
    assert search(consultation) == expected
    assert list(executions().values()) == [1]


def test_it_runs_the_plan_made_once_even_where_postgresql_would_plan_each_search_afresh(on_postgres, consultation):
    """With 200,000 appointments PostgreSQL chose a plan for the exact week, made afresh on every search;
    the database's own default here makes it do that always. The search still runs the one plan, and
    the setting that makes it so lasts only for the search's own transaction."""
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(database)} SET plan_cache_mode = force_custom_plan")
    try:
        connection.close()
        assert setting("plan_cache_mode") == "force_custom_plan"
        for _ in range(3):
            search(consultation)
        assert list(plans().values()) == [(3, 0)]
        assert setting("plan_cache_mode") == "force_custom_plan"  # SET LOCAL: gone with the search
        with transaction.atomic():
            search(consultation)
        assert setting("plan_cache_mode") == "force_custom_plan"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(database)} RESET plan_cache_mode")
        connection.close()


def test_a_first_run_that_fails_after_preparing_does_not_stop_the_next_one(on_postgres):
    """PREPARE outlives the failure of the EXECUTE sent with it: the next call must not prepare again."""
    connection.close()
    sql = "SELECT 10 / %s"
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        prepared.execute(cursor, sql, [0])  # prepared, then division by zero when run
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, [2])
        assert cursor.fetchall() == [(5,)]
        prepared.execute(cursor, sql, [5])
        assert cursor.fetchall() == [(2,)]
    assert plans()[prepared.name_for(sql)][0] >= 2


def test_a_statement_dropped_on_the_server_is_prepared_again(on_postgres, consultation):
    expected = search(consultation)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a DISCARD ALL would
    assert executions() == {}
    assert search(consultation) == expected
    assert list(executions().values()) == [1]
