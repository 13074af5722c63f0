"""The staff admin's screens, one module per area; Django's admin autodiscovery imports this package.

Importing it registers every model screen on the site (clinic.staff.site.ClinicAdminSite) and
adds the pages that are not model screens: the agenda, the appointments export, the dashboard.
"""

from django.contrib import admin

from . import agenda, appointments, checklist, dashboard, exports, outbox, patients, records, schedules  # noqa: F401

admin.site.add_view("agenda/", agenda.agenda, "agenda")
admin.site.add_view("agenda/<slug:day>/", agenda.agenda, "agenda_day")
admin.site.add_view("appointments.csv", exports.export_appointments, "export_appointments")
admin.site.add_view("clinical-checklist/", checklist.clinical_checklist, "clinical_checklist")
admin.site.dashboard = dashboard.dashboard
