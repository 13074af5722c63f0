"""Calendar files (.ics) for appointments."""

from django.conf import settings
from icalendar import Calendar, Event

from ..lib.links import site_host


def appointment_ics(appointment):
    """An RFC 5545 calendar with the appointment, times in UTC.

    UTC avoids a VTIMEZONE block, which some calendar apps misread on DST dates.
    """
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.reference}@{site_host()}")
    event.add("dtstamp", appointment.created_at or appointment.starts_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    # No clinical detail: the calendar may be shared or synced to other devices.
    event.add("summary", f"Appointment at {settings.CLINIC_NAME}")
    event.add("location", settings.CLINIC_ADDRESS)
    event.add("description", f"Booking reference {appointment.reference}. Phone {settings.CLINIC_PHONE}.")
    calendar.add_component(event)
    return calendar.to_ical()
