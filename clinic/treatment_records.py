"""Recording, correcting and voiding treatments: each one transaction, aftercare kept in step."""

from django.db import transaction

from treatments import aftercare

from .models import TreatmentRecord


def record_treatment(*, patient, treatment, practitioner, performed_at, notes="", appointment=None, by=None, now):
    """Record a treatment and schedule its aftercare emails, in one transaction."""
    with transaction.atomic():
        record = TreatmentRecord.objects.create(
            appointment=appointment,
            patient=patient,
            treatment=treatment,
            practitioner=practitioner,
            performed_at=performed_at,
            notes=notes,
            created_by=by,
        )
        aftercare.start_programme(record, now=now)
    return record


def update_treatment_record(*, record, treatment, practitioner, performed_at, notes, now):
    """Correct a record; a changed treatment or time re-plans the aftercare still to come."""
    with transaction.atomic():
        record = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        replan = (record.treatment_id, record.performed_at) != (treatment.pk, performed_at)
        record.treatment = treatment
        record.practitioner = practitioner
        record.performed_at = performed_at
        record.notes = notes
        record.save()
        if replan and not record.is_void:
            aftercare.stop_programme(record, reason="Treatment record changed", now=now)
            aftercare.start_programme(record, now=now)
    return record


def void_treatment_record(*, record, reason, now):
    """Mark a record as entered in error: its pending aftercare emails are cancelled."""
    with transaction.atomic():
        record = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if record.is_void:
            return record
        record.voided_at = now
        record.void_reason = reason
        record.save(update_fields=["voided_at", "void_reason"])
        aftercare.stop_programme(record, reason="Treatment record voided", now=now)
    return record
