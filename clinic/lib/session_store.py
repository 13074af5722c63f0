"""Sessions in the database, one statement per save.

Django's database store wraps every save in a transaction (BEGIN, UPDATE, COMMIT: three round
trips) and checks a new key is free before inserting it (a fourth). An UPDATE alone is already
atomic, and a new 32-character random key that collides is refused by the primary key, which
`create()` answers with a new key, so neither is needed. Only inside a caller's transaction is
a new session inserted under a savepoint, so that a collision cannot spoil that transaction.

Every request with a session cookie reads it, and a booking step that changes it writes it: that
SELECT and that UPDATE are written out (`load`, `_update`), as building them through the ORM cost
several times the query itself.
"""

import contextlib

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def load(self) -> dict:
        """The session's data, or {} (and no key: a save then makes a new one) when it is missing or expired."""
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        # AbstractBaseSession's columns; only the table's name goes into the text, the key and the time are parameters.
        sql = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]  # (not in django-stubs)
        if not must_create:
            return self._update(data)
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        guard = transaction.atomic(using=using) if connections[using].in_atomic_block else None
        try:
            with guard or contextlib.nullcontext():
                obj.save(force_insert=True, using=using)
        except IntegrityError:
            raise CreateError from None
        return None

    def _update(self, data: dict) -> None:
        """One written UPDATE of the row (as `load`'s SELECT); none left to update is an UpdateError, as Django's."""
        connection = connections[router.db_for_write(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"UPDATE {table} SET session_data = %s, expire_date = %s WHERE session_key = %s"  # noqa: S608
        expires = connection.ops.adapt_datetimefield_value(self.get_expiry_date())
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, [self.encode(data), expires, self.session_key])
                updated = cursor.rowcount
        except DatabaseError:
            raise UpdateError from None  # as Django's store answers any failed update
        if updated != 1:
            raise UpdateError
