"""The outbox for staff: every email, its preview, retrying and cancelling."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..mail import outbox
from ..mail.rendering import SANDBOXED_EMAIL_CSP
from ..models import (
    Outbox,
)
from .common import outcome


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "category", "status", "next_attempt_at", "attempts", "last_error", "sent_at")
    list_filter = ("status", "kind", "category")
    # Never the bodies: they hold patients' details. An exact address finds one patient's mail.
    search_fields = ("kind", "idempotency_key", "cause", "=recipient")
    search_help_text = "Kind, idempotency key, cause (e.g. appointment:42) or an exact email address."
    date_hierarchy = "send_after"
    ordering = ("-next_attempt_at",)
    actions = ["retry_now", "cancel"]
    fields = (
        "preview",
        "status",
        "kind",
        "category",
        "cause",
        "idempotency_key",
        "recipient",
        "subject",
        "message_id",
        "send_after",
        "next_attempt_at",
        "attempts",
        "lease_until",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # email is only ever queued by the site itself

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="clinic_outbox_preview"),
            path("<int:pk>/preview/html/", view(self.preview_html_view), name="clinic_outbox_preview_html"),
            *super().get_urls(),
        ]

    @admin.display(description="Preview")
    def preview(self, obj):
        return format_html('<a href="{}">Show the email</a>', reverse("admin:clinic_outbox_preview", args=[obj.pk]))

    def _viewable(self, request, pk):
        email = get_object_or_404(Outbox, pk=pk)
        if not self.has_view_permission(request, email):
            raise PermissionDenied
        return email

    def preview_view(self, request, pk):
        """Subject, headers, the text part, and the HTML part as escaped source with a link to see it drawn."""
        email = self._viewable(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": email,
            "title": f"Email #{email.pk}",
            "email": email,
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "has_unsubscribe_link": email.category != Outbox.Category.ESSENTIAL,
        }
        return TemplateResponse(request, "admin/clinic/outbox/preview.html", context)

    def preview_html_view(self, request, pk):
        email = self._viewable(request, pk)
        response = HttpResponse(email.body_html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = SANDBOXED_EMAIL_CSP
        response["Referrer-Policy"] = "no-referrer"  # links in the email must not learn the admin's address
        return response

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.retry_now(ids=list(queryset.values_list("pk", flat=True)), now=timezone.now())
        skipped = queryset.count() - count
        self.message_user(
            request, outcome(f"{count} email(s) will be sent now.", skipped=skipped, why="already sent or cancelled")
        )

    @admin.action(description="Cancel", permissions=["change"])
    def cancel(self, request, queryset):
        count = outbox.cancel(ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        why = "already sent, sending or cancelled"
        self.message_user(request, outcome(f"{count} email(s) cancelled.", skipped=skipped, why=why))
