"""Schedules: practitioners with their weekly hours and free times, closures, consultation types."""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..booking import schedule
from ..lib import clock
from ..models import (
    Closure,
    ConsultationType,
    Practitioner,
    WorkingHours,
)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ("weekday", "start", "end")


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "active", "free_slots_link")
    list_filter = ("active",)
    search_fields = ("name",)
    inlines = [WorkingHoursInline]
    filter_horizontal = ("consultation_types",)
    fields = ("name", "title", "bio", "active", "consultation_types", "user")
    raw_id_fields = ("user",)

    @admin.display(description="Next 7 days")
    def free_slots_link(self, practitioner):
        url = reverse("admin:clinic_practitioner_slots", args=[practitioner.pk])
        return format_html('<a href="{}">Free times</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/free-times/", view(self.slots_view), name="clinic_practitioner_slots"),
            *super().get_urls(),
        ]

    def slots_view(self, request, pk):
        """The practitioner's free times for the next 7 days, per consultation type, under the booking rules."""
        practitioner = get_object_or_404(Practitioner, pk=pk)
        if not self.has_view_permission(request, practitioner):
            raise PermissionDenied
        now = timezone.now()
        first = clock.today(now)
        last = first + datetime.timedelta(days=6)
        by_type = []
        for kind in practitioner.consultation_types.all():
            days = {}
            for slot in schedule.free_slots(
                consultation_type=kind, practitioner=practitioner, first_day=first, last_day=last, now=now
            ):
                local = clock.local(slot.start)
                days.setdefault(local.date(), []).append(local)
            by_type.append((kind, sorted(days.items())))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": practitioner,
            "title": f"Free times for {practitioner.name}: next 7 days",
            "by_type": by_type,
            "first_day": first,
            "last_day": last,
        }
        return TemplateResponse(request, "admin/clinic/practitioner/free_times.html", context)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("reason", "who", "first_day", "last_day", "start_time", "end_time")
    list_filter = ("practitioner",)
    list_select_related = ("practitioner",)
    date_hierarchy = "first_day"
    ordering = ("-first_day",)

    @admin.display(description="Who", ordering="practitioner__name")
    def who(self, closure):
        return closure.practitioner.name if closure.practitioner else "Whole clinic"


@admin.register(ConsultationType)
class ConsultationTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "buffer_minutes", "price", "bookable_online")
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ("treatments",)
