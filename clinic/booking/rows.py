"""A row's own fields as the session can keep them (JSON), and the row rebuilt from them without a query.

The booking flow reads the consultation type and practitioner once, at its first step, and
keeps this copy for the steps after it. A change staff make to them meanwhile reaches a
patient's flow when the patient chooses again (or starts again); the practitioner's hours,
closures and bookings are always read afresh.
"""

from decimal import Decimal
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def copy(row: models.Model) -> dict[str, Any]:
    """{column: value}, decimals as strings."""
    values = {}
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        values[field.attname] = str(value) if isinstance(value, Decimal) else value
    return values


def restore(model: type[M], values: dict[str, Any]) -> M:
    """The row `copy` kept, as if just read from the database."""
    fields = model._meta.concrete_fields
    return model.from_db("default", [f.attname for f in fields], [f.to_python(values.get(f.attname)) for f in fields])
