"""Calendar files (.ics) for appointments: one event per appointment, updated in place.

Every file for an appointment has the same UID; its SEQUENCE is the appointment's `sequence`,
raised by each move and by the cancellation, so a calendar replaces the event it already has
(RFC 5545 3.8.7.4, RFC 5546 2.1.4). New and moved appointments are sent as METHOD:REQUEST, a
cancellation as METHOD:CANCEL with STATUS:CANCELLED, which removes the event.
"""

import datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from ..lib.links import site_host
from ..models import Appointment

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def appointment_uid(appointment: Appointment) -> str:
    """The same for every file about this appointment, whatever happens to it."""
    return f"appointment-{appointment.reference}@{site_host()}"


def appointment_ics(appointment: Appointment, *, stamp: datetime.datetime | None = None) -> bytes:
    """An RFC 5545 calendar with the appointment, times in UTC; a cancel when it is cancelled.

    UTC avoids a VTIMEZONE block, which some calendar apps misread on DST dates. `stamp` is
    when this version was made (DTSTAMP); by default the booking time.
    """
    cancelled = appointment.status in (Appointment.Status.CANCELLED_BY_PATIENT, Appointment.Status.CANCELLED_BY_CLINIC)
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", CANCEL if cancelled else REQUEST)
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", stamp or appointment.created_at or appointment.starts_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # No clinical detail: the calendar may be shared or synced to other devices.
    event.add("summary", f"Appointment at {settings.CLINIC_NAME}")
    event.add("location", settings.CLINIC_ADDRESS)
    event.add("description", f"Booking reference {appointment.reference}. Phone {settings.CLINIC_PHONE}.")
    # RFC 5546 asks for an organizer on REQUEST and CANCEL: the clinic, at the address replies reach.
    organizer = vCalAddress(f"mailto:{settings.CLINIC_REPLY_TO}")
    organizer.params["cn"] = vText(settings.CLINIC_NAME)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{appointment.patient.email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
