"""Every stored phone number in E.164, as the booking and admin forms now store them.

Its own copy of the rule (phonenumbers, the clinic's region): a data migration never imports
live code, which may have changed by the time the migration runs. A number that cannot be read
as a valid one is left as typed, for staff to correct.
"""

import phonenumbers
from django.conf import settings
from django.db import migrations


def e164(raw, region):
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_valid_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(apps, schema_editor):
    region = getattr(settings, "CLINIC_PHONE_REGION", "GB")
    for model_name, field in (("Patient", "phone"), ("Appointment", "given_phone")):
        model = apps.get_model("clinic", model_name)
        for pk, raw in model.objects.exclude(**{field: ""}).values_list("pk", field).iterator():
            clean = e164(raw, region)
            if clean != raw:
                model.objects.filter(pk=pk).update(**{field: clean})


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_desk_booking_permissions")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
