"""The staff admin site: two-factor sign-in, the field rule on every screen, history everywhere."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models.constants import LOOKUP_SEP
from django.urls import path
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import field_access
from .login import ClinicLoginForm


class _HidingContextHelper(HistoricalRecordContextHelper):
    def __init__(self, *args, hidden, **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = hidden

    def context_for_delta_changes(self, delta):
        shown = super().context_for_delta_changes(delta)
        return [entry for change, entry in zip(delta.changes, shown, strict=True) if change.field not in self.hidden]


# Filter lookups a list page may be asked for, on a field it offers as a filter: enough for every
# filter Django draws (exact, empty, ranges, dates, related ids), nothing that searches text.
FILTER_LOOKUPS = {"exact", "isnull", "isempty", "in", "gte", "gt", "lte", "lt", "id__exact", "id__in"}
HIERARCHY_LOOKUPS = {"year", "month", "day"}


class ClinicModelAdmin(admin.ModelAdmin):
    """Every staff screen shows only what the viewer may read, and filters only as its page offers.

    Fields come and go by `clinic.field_access` (the one rule every output follows). List pages
    accept only the filters they show: Django's own check lets any lookup on a model's local
    fields through, so `?notes__icontains=` would count rows by a field the viewer cannot see.
    """

    def get_fields(self, request, obj=None):
        hidden = field_access.hidden_fields(request.user, self.model)
        return [name for name in super().get_fields(request, obj) if name not in hidden]

    def get_fieldsets(self, request, obj=None):
        hidden = field_access.hidden_fields(request.user, self.model)
        return [
            (title, {**options, "fields": [name for name in options["fields"] if name not in hidden]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        hidden = field_access.hidden_fields(request.user, self.model)
        return [name for name in super().get_readonly_fields(request, obj) if name not in hidden]

    def lookup_allowed(self, lookup, value, request=None):
        field, _, suffix = lookup.partition(LOOKUP_SEP)
        offered = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                if lookup == item.parameter_name:
                    return True
            else:
                offered.add(item[0] if isinstance(item, (list, tuple)) else item)
        if field == self.date_hierarchy and suffix in HIERARCHY_LOOKUPS:
            return value.isdigit() and (suffix != "year" or 1900 <= int(value) <= 2200)
        if field not in offered or suffix not in FILTER_LOOKUPS:
            return False
        return field_access.can_read(request.user, self.model, field) and super().lookup_allowed(lookup, value, request)


class HistoryAdminMixin(ClinicModelAdmin, SimpleHistoryAdmin):
    """Who changed what and when, from each record's History button; fields a viewer may not see stay out."""

    def get_historical_record_context_helper(self, request, historical_record):
        hidden = field_access.hidden_fields(request.user, self.model)
        return _HidingContextHelper(self.model, historical_record, hidden=hidden)


class ClinicAdminSite(admin.AdminSite):
    index_template = "admin/clinic/dashboard.html"
    login_template = "admin/clinic/login.html"
    index_title = "Today at the clinic"

    def __init__(self, name="admin"):
        super().__init__(name)
        self.site_header = settings.CLINIC_NAME
        self.site_title = f"{settings.CLINIC_NAME} staff"
        # Staff pages beyond the model screens, and the home page's panels: clinic.admin adds them.
        self.extra_urls = []  # (route, view, name)
        self.dashboard = None  # dashboard(request, *, now) -> context

    @property
    def login_form(self):
        return ClinicLoginForm if settings.STAFF_2FA_REQUIRED else AdminAuthenticationForm

    def has_permission(self, request):
        """Active staff, and with 2FA required, signed in with a one-time code this session."""
        if not super().has_permission(request):
            return False
        return not settings.STAFF_2FA_REQUIRED or request.user.is_verified()

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every screen follows the field rule and offers only its own filters; every model with a history
        gets the History page (the audit trail), whoever registers it."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            cls = admin_class or admin.ModelAdmin
            has_history = hasattr(model._meta, "simple_history_manager_attribute")
            base = HistoryAdminMixin if has_history else ClinicModelAdmin
            if not issubclass(cls, base):
                cls = type(cls.__name__, (base, cls), {"__module__": cls.__module__})
            super().register(model, cls, **options)

    def add_view(self, route, view, name):
        """A staff page beyond the model screens, behind the site's sign-in and two-factor check."""
        self.extra_urls.append((route, view, name))

    def get_urls(self):
        extra = [path(route, self.admin_view(view), name=name) for route, view, name in self.extra_urls]
        return [*extra, *super().get_urls()]

    def index(self, request, extra_context=None):
        panels = self.dashboard(request, now=timezone.now()) if self.dashboard else {}
        return super().index(request, {**panels, **(extra_context or {})})
