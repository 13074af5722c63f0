"""Sessions in the database, one statement per save.

Django's database store wraps every save in a transaction (BEGIN, UPDATE, COMMIT: three round
trips) and checks a new key is free before inserting it (a fourth). An UPDATE alone is already
atomic, and a new 32-character random key that collides is refused by the primary key, which
`create()` answers with a new key, so neither is needed. Only inside a caller's transaction is
a new session inserted under a savepoint, so that a collision cannot spoil that transaction.
"""

import contextlib

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]  # (not in django-stubs)
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        guard = transaction.atomic(using=using) if must_create and connections[using].in_atomic_block else None
        try:
            with guard or contextlib.nullcontext():
                obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
        return None
