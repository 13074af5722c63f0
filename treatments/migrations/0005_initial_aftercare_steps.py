"""Load the initial aftercare steps from treatments/seed.py, marked as awaiting clinical review."""

from django.db import migrations


def load(apps, schema_editor):
    from treatments.aftercare import load_aftercare_steps

    load_aftercare_steps(
        step_model=apps.get_model("treatments", "AftercareStep"),
        page_model=apps.get_model("treatments", "TreatmentPage"),
    )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0004_aftercare_deliveries_and_links")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
