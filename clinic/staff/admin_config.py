"""django.contrib.admin's app config, with our site as admin.site (kept apart: an app config may not import models)."""

from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """Every app's `admin.register` lands on ClinicAdminSite: 2FA, dashboard, agenda, history."""

    default_site = "clinic.staff.site.ClinicAdminSite"
