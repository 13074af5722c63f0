"""Indexes for finding a patient by phone, and trigram indexes that stay fast after many inserts.

A whole number typed is matched exactly on the stored E.164 number: a B-tree (every database).
Part of a number is `phone::text LIKE '%digits%'` on PostgreSQL: a `pg_trgm` GIN index answers it,
as migration 0010's indexes answer a word of the name or email (PostgreSQL only; SQLite scans).

All three GIN indexes are `fastupdate = off`. With it on (the default), new rows wait in a pending
list that every search reads in full until (auto)vacuum merges it: after a bulk import of 66,000
patients the planner rightly chose to read the table instead (47 ms against 2 ms for a search by
email). A patient is added at most a few times an hour, so writing the index at once costs nothing.
"""

from django.db import migrations, models

TRIGRAMS = ["clinic_patient_name_trgm", "clinic_patient_email_trgm"]  # made by 0010
PHONE_TRIGRAM = "clinic_patient_phone_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {PHONE_TRIGRAM} ON clinic_patient USING gin (("phone"::text) gin_trgm_ops) '
        "WITH (fastupdate = off)"
    )
    for name in TRIGRAMS:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {PHONE_TRIGRAM}")
    for name in TRIGRAMS:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0010_patient_search_trigram_indexes")]

    operations = [
        migrations.AddIndex(model_name="patient", index=models.Index(fields=["phone"], name="clinic_patient_phone")),
        migrations.RunPython(create, drop, elidable=False),
    ]
