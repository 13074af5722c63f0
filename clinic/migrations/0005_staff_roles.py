"""The staff roles (Reception, Clinician, Content editor, Clinic manager) as groups."""

from django.db import migrations

from clinic.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_treatment_records_and_history"),
        ("treatments", "0005_initial_aftercare_steps"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("otp_totp", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
