"""Trigram indexes for staff search by a patient's name or email (PostgreSQL only).

The admin's `icontains` search is `UPPER(col::text) LIKE UPPER('%term%')` on PostgreSQL; a GIN
index of that expression with pg_trgm's operator class answers it without reading every patient.
SQLite (the embedded default) has no such index and keeps its plain scan.
"""

from django.db import migrations

INDEXES = {
    "clinic_patient_name_trgm": "name",
    "clinic_patient_email_trgm": "email",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON clinic_patient USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0009_waitlist")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
