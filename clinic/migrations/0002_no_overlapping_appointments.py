"""PostgreSQL only: no two active appointments of one practitioner may overlap, buffers included.

SQLite has no exclusion constraints; there the IMMEDIATE transactions and the partial unique
constraint on (practitioner, starts_at) do the job (see clinic/booking/services.py).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE clinic_appointment ADD CONSTRAINT appointment_no_overlap
EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, blocks_until, '[)') WITH &&)
WHERE (status IN ('booked', 'attended', 'no_show'))
"""
DROP = "ALTER TABLE clinic_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap"


def on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(on_postgres(CREATE), on_postgres(DROP)),
    ]
