"""The clinic's records (one app, label "clinic"): every model, re-exported from its module."""

from .aftercare import AftercareCheckIn, AftercareDelivery, AftercareLink, TreatmentRecord
from .appointments import Appointment, ManageLink, Patient, Questionnaire
from .mail import EmailOptOut, Outbox, UnsubscribeLink
from .schedules import Closure, ConsultationType, Practitioner, WorkingHours
from .waitlist import TimeOfDay, WaitlistEntry, WaitlistLink, WaitlistOffer

__all__ = [
    "AftercareCheckIn",
    "AftercareDelivery",
    "AftercareLink",
    "Appointment",
    "Closure",
    "ConsultationType",
    "EmailOptOut",
    "ManageLink",
    "Outbox",
    "Patient",
    "Practitioner",
    "Questionnaire",
    "TimeOfDay",
    "TreatmentRecord",
    "UnsubscribeLink",
    "WaitlistEntry",
    "WaitlistLink",
    "WaitlistOffer",
    "WorkingHours",
]
