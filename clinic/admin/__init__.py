"""The staff admin's screens, one module per area; Django's admin autodiscovery imports this package.

Importing it registers every model screen on the site (clinic.staff.site.ClinicAdminSite) and
adds the pages that are not model screens: the agenda, the appointments export, booking for a patient
at the front desk, the dashboard.
"""

from django.contrib import admin

from . import (  # noqa: F401 (registers)
    accounts,
    agenda,
    appointments,
    checklist,
    concerns,
    dashboard,
    desk,
    exports,
    outbox,
    patients,
    records,
    schedules,
)

admin.site.add_view("agenda/", agenda.agenda, "agenda")
admin.site.add_view("agenda/<slug:day>/", agenda.agenda, "agenda_day")
admin.site.add_view("appointments.csv", exports.export_appointments, "export_appointments")
admin.site.add_view("callbacks/", concerns.callbacks, "callbacks")
admin.site.add_view("account/two-factor/", accounts.two_factor_page, "two_factor")
admin.site.add_view("desk/book/", desk.book_for_patient, "desk_book")
admin.site.add_view("desk/book/new-patient/", desk.new_patient, "desk_new_patient")
admin.site.add_view("clinical-checklist/", checklist.clinical_checklist, "clinical_checklist")
admin.site.dashboard = dashboard.dashboard
