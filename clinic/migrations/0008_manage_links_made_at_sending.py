"""Manage links become one row per email (made at sending); links already emailed keep working."""

import django.db.models.deletion
from django.db import migrations, models


def keep_links_already_sent(apps, schema_editor):
    Appointment = apps.get_model("clinic", "Appointment")
    ManageLink = apps.get_model("clinic", "ManageLink")
    ManageLink.objects.bulk_create(
        ManageLink(appointment_id=pk, token_hash=token_hash, created_at=created_at)
        for pk, token_hash, created_at in Appointment.objects.exclude(manage_token_hash=None).values_list(
            "pk", "manage_token_hash", "created_at"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_given_details_and_deliverable_addresses"),
    ]

    operations = [
        migrations.CreateModel(
            name="ManageLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField()),
                (
                    "appointment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="manage_links", to="clinic.appointment"
                    ),
                ),
                (
                    "outbox",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="clinic.outbox",
                    ),
                ),
            ],
        ),
        migrations.RunPython(keep_links_already_sent, migrations.RunPython.noop),
        migrations.RemoveField(model_name="appointment", name="manage_token_hash"),
        migrations.RemoveField(model_name="historicalappointment", name="manage_token_hash"),
    ]
