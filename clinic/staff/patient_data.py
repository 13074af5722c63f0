"""A patient's data: everything we hold about them (access requests), and erasure (right to be forgotten).

Kept on erasure (legal hold, README "The staff admin", Patients): treatment records — treatment, date, practitioner,
clinical notes, voiding — and aftercare check-ins, which are the clinical record the clinic must
retain; appointment times, statuses and references (the clinic's own diary and accounts); and
the history of those rows. Everything that identifies or contacts the person is removed.
"""

import csv
import io

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from ..aftercare import services as aftercare
from ..lib import clock
from ..lib.spreadsheets import csv_safe
from ..mail import outbox
from ..models import AftercareCheckIn, Appointment, ManageLink, Outbox, Patient, Questionnaire, TreatmentRecord
from ..waitlist import services as waitlist
from . import field_access

ERASED_NAME = "Erased patient"


def erased_email(patient):
    # .invalid can never be delivered to (RFC 2606), so nothing can reach a stranger.
    return f"erased-{patient.pk}@erased.invalid"


def _local(value):
    return clock.local(value).isoformat() if value else None


def _causes(appointments, records):
    return [f"appointment:{a.pk}" for a in appointments] + [aftercare.cause_of(r) for r in records]


def _emails(patient, causes):
    return Outbox.objects.filter(Q(recipient__iexact=patient.email) | Q(cause__in=causes))


def export_patient(patient, *, user):
    """Everything held about a patient that `user` may read, as plain JSON-ready data (times in clinic time).

    Fields and sections the user's role may not read anywhere else (clinic.field_access) are left
    out here too, and `left_out` says which, so a complete export is asked of a role that may read all.
    """

    def may(model, field=None):
        return field_access.can_read(user, model, field)

    left_out = [
        label
        for label, allowed in (
            ("booking notes", may(Appointment, "notes")),
            ("pre-consultation answers", may(Questionnaire)),
            ("treatment records", may(TreatmentRecord)),
            ("clinical notes", may(TreatmentRecord, "notes")),
            ("aftercare check-ins", may(AftercareCheckIn)),
            ("what patients wrote when worried", may(AftercareCheckIn, "message")),
        )
        if not allowed
    ]
    appointments = list(
        patient.appointments.select_related("practitioner", "consultation_type", "questionnaire").order_by("starts_at")
    )
    records = list(
        patient.treatment_records.select_related("treatment", "practitioner")
        .prefetch_related("check_ins")
        .order_by("performed_at")
    )
    emails = _emails(patient, _causes(appointments, records)).order_by("created_at")
    return {
        "patient": {
            "id": patient.pk,
            "name": patient.name,
            "email": patient.email,
            "phone": patient.phone,
            "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
            "marketing_consent": patient.marketing_consent,
            "created_at": _local(patient.created_at),
            "erased_at": _local(patient.erased_at),
        },
        "left_out": left_out,
        "appointments": [
            {
                "reference": a.reference,
                "starts_at": _local(a.starts_at),
                "ends_at": _local(a.ends_at),
                "practitioner": a.practitioner.name,
                "consultation_type": a.consultation_type.name,
                "status": a.get_status_display(),
                **({"notes": a.notes} if may(Appointment, "notes") else {}),
                "details_given_at_booking": {
                    "name": a.given_name,
                    "phone": a.given_phone,
                    "date_of_birth": a.given_date_of_birth.isoformat() if a.given_date_of_birth else None,
                    "marketing_consent": a.given_marketing_consent,
                },
                "privacy_notice_version": a.privacy_notice_version,
                "consented_at": _local(a.consented_at),
                "booked_at": _local(a.created_at),
                "cancelled_at": _local(a.cancelled_at),
                **({"questionnaire": _answers(a)} if may(Questionnaire) else {}),
            }
            for a in appointments
        ],
        "treatment_records": [
            {
                "treatment": r.treatment.title,
                "performed_at": _local(r.performed_at),
                "practitioner": r.practitioner.name,
                **({"clinical_notes": r.notes} if may(TreatmentRecord, "notes") else {}),
                "voided_at": _local(r.voided_at),
                "void_reason": r.void_reason,
                "aftercare_check_ins": [
                    {
                        "feeling": c.get_feeling_display(),
                        **({"message": c.message} if may(AftercareCheckIn, "message") else {}),
                        "at": _local(c.created_at),
                        "handled_at": _local(c.handled_at),
                    }
                    for c in r.check_ins.all()
                ]
                if may(AftercareCheckIn)
                else [],
            }
            for r in (records if may(TreatmentRecord) else [])
        ],
        "waiting_list": _waiting_list(patient),
        "emails": [
            {
                "kind": e.kind,
                "to": e.recipient,
                "subject": e.subject,
                "status": e.get_status_display(),
                "queued_at": _local(e.created_at),
                "sent_at": _local(e.sent_at),
            }
            for e in emails
        ],
    }


def _waiting_list(patient):
    """The patient's places on the waiting list (never clinical), with the times offered to them."""
    entries = patient.waitlist_entries.select_related("consultation_type", "practitioner").prefetch_related(
        "offers__practitioner"
    )
    return [
        {
            "joined_at": _local(e.joined_at),
            "consultation_type": e.consultation_type.name,
            "practitioner": e.practitioner.name if e.practitioner else "whoever is free",
            "days": e.describe_days(),
            "times_of_day": e.describe_times(),
            "latest_date": e.latest_date.isoformat(),
            "status": e.get_status_display(),
            "ended_at": _local(e.ended_at),
            "details_given_when_joining": {
                "name": e.given_name,
                "phone": e.given_phone,
                "date_of_birth": e.given_date_of_birth.isoformat() if e.given_date_of_birth else None,
            },
            "offers": [
                {
                    "time": _local(o.starts_at),
                    "practitioner": o.practitioner.name,
                    "offered_at": _local(o.offered_at),
                    "status": o.get_status_display(),
                }
                for o in e.offers.all()
            ],
        }
        for e in entries.order_by("joined_at")
    ]


def _answers(appointment):
    try:
        questionnaire = appointment.questionnaire
    except Questionnaire.DoesNotExist:
        return None
    return {
        str(Questionnaire._meta.get_field(name).verbose_name): getattr(questionnaire, f"get_{name}_display")()
        for name in Questionnaire.QUESTIONS
    }


def export_csv(data):
    """The export as CSV: one row per value (section, item, field, value), for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Section", "Item", "Field", "Value"])
    for name, value in data["patient"].items():
        writer.writerow(["patient", "", name, _cell(value)])
    for section in data["left_out"]:
        writer.writerow(["left out", "", section, "not readable by this staff role"])
    sections = (
        ("appointments", "reference"),
        ("treatment_records", "performed_at"),
        ("waiting_list", "joined_at"),
        ("emails", "queued_at"),
    )
    for section, key in sections:
        for item in data[section]:
            for name, value in item.items():
                if isinstance(value, dict):
                    for question, answer in value.items():
                        writer.writerow([section, item[key], question, _cell(answer)])
                elif isinstance(value, list):
                    for i, entry in enumerate(value, 1):
                        for sub, subvalue in entry.items():
                            writer.writerow([section, item[key], f"{name} {i} {sub}", _cell(subvalue)])
                else:
                    writer.writerow([section, item[key], name, _cell(value)])
    return buffer.getvalue()


def _cell(value):
    return "" if value is None else csv_safe(value)


def erase_patient(*, patient, now):
    """Remove what identifies or contacts a patient; cancel their pending mail and links; keep the legal-hold list.

    Returns counts of what was done. Erasing twice changes nothing more.
    """
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        if patient.erased_at is not None:
            return {"already_erased": True}
        appointments = list(patient.appointments.all())
        records = list(patient.treatment_records.all())
        causes = _causes(appointments, records)

        for record in records:
            aftercare.stop_programme(record, reason="Patient erased", now=now)
        cancelled = sum(outbox.cancel_pending(cause=cause, reason="Patient erased") for cause in causes)
        by_address = Outbox.objects.filter(recipient__iexact=patient.email, status=Outbox.Status.PENDING)
        cancelled += outbox.cancel(ids=list(by_address.values_list("pk", flat=True)), reason="Patient erased")
        _emails(patient, causes).update(recipient=erased_email(patient), body_text="", body_html="", attachments=[])

        upcoming = [a.pk for a in appointments if a.status == Appointment.Status.BOOKED and a.starts_at > now]
        Appointment.objects.filter(pk__in=upcoming).update(
            status=Appointment.Status.CANCELLED_BY_CLINIC, cancelled_at=now
        )
        given = {"given_name": "", "given_phone": "", "given_date_of_birth": None, "given_marketing_consent": False}
        Appointment.objects.filter(patient=patient).update(notes="", **given)
        ManageLink.objects.filter(appointment__patient=patient).delete()
        Questionnaire.objects.filter(appointment__patient=patient).delete()
        waitlist.erase(patient=patient)

        anonymous = {"name": ERASED_NAME, "email": erased_email(patient), "phone": "", "date_of_birth": None}
        # Earlier versions in the audit trail hold the same details.
        Patient.history.filter(id=patient.pk).update(**anonymous, marketing_consent=False)
        Appointment.history.filter(patient_id=patient.pk).update(notes="", **given)
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Patient), object_id=str(patient.pk)
        ).update(object_repr=ERASED_NAME)

        for name, value in anonymous.items():
            setattr(patient, name, value)
        patient.marketing_consent = False
        patient.erased_at = now
        patient._change_reason = "Erased on request"
        patient.save()
    return {
        "emails_cancelled": cancelled,
        "appointments_cancelled": len(upcoming),
        "treatment_records_kept": len(records),
    }
