"""The staff admin site: two-factor sign-in, the clinic's dashboard, the agenda, history everywhere."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import path
from django.utils import timezone
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper


class ClinicLoginForm(OTPAdminAuthenticationForm):
    """Password and a code from the authenticator app, on one form.

    django-otp asks the user to pick a device first; staff have one TOTP device each, so it is
    used without asking (the form still accepts an explicit choice).
    """

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": "Enter the 6-digit code from your authenticator app.",
        "invalid_token": "That code is not right, or was already used. Wait for a new one and try again.",
        "device_required": "No authenticator app is set up for this login yet. Ask the clinic manager.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = "Code from your authenticator app"
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "required": True}
        )

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True)[:2])
            device = devices[0] if len(devices) == 1 else None
        return device


class _HidingContextHelper(HistoricalRecordContextHelper):
    def __init__(self, *args, hidden, **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = hidden

    def context_for_delta_changes(self, delta):
        shown = super().context_for_delta_changes(delta)
        return [entry for change, entry in zip(delta.changes, shown, strict=True) if change.field not in self.hidden]


class HistoryAdminMixin(SimpleHistoryAdmin):
    """Who changed what and when, from each record's History button; fields a viewer may not see stay out."""

    def history_hidden_fields(self, request):
        """Fields whose old and new values this user must not see in the history."""
        return set()

    def get_historical_record_context_helper(self, request, historical_record):
        return _HidingContextHelper(self.model, historical_record, hidden=self.history_hidden_fields(request))


class ClinicAdminSite(admin.AdminSite):
    index_template = "admin/clinic/dashboard.html"
    login_template = "admin/clinic/login.html"
    index_title = "Today at the clinic"

    def __init__(self, name="admin"):
        super().__init__(name)
        self.site_header = settings.CLINIC_NAME
        self.site_title = f"{settings.CLINIC_NAME} staff"

    @property
    def login_form(self):
        return ClinicLoginForm if settings.STAFF_2FA_REQUIRED else AdminAuthenticationForm

    def has_permission(self, request):
        """Active staff, and with 2FA required, signed in with a one-time code this session."""
        if not super().has_permission(request):
            return False
        return not settings.STAFF_2FA_REQUIRED or request.user.is_verified()

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model with a history gets the History page (the audit trail), whoever registers it."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            cls = admin_class or admin.ModelAdmin
            if hasattr(model._meta, "simple_history_manager_attribute") and not issubclass(cls, SimpleHistoryAdmin):
                cls = type(cls.__name__, (HistoryAdminMixin, cls), {"__module__": cls.__module__})
            super().register(model, cls, **options)

    def get_urls(self):
        from . import admin_views

        view = self.admin_view
        return [
            path("agenda/", view(admin_views.agenda), name="agenda"),
            path("agenda/<slug:day>/", view(admin_views.agenda), name="agenda_day"),
            path("appointments.csv", view(admin_views.export_appointments), name="export_appointments"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        from . import admin_views

        dashboard = admin_views.dashboard(request, now=timezone.now())
        return super().index(request, {**dashboard, **(extra_context or {})})
