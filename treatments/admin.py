"""The admin for content editors: structured sections, review dates, previews."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import FAQ, AftercareStep, ConditionPage, TreatmentPage

REVIEW_LABELS = {
    "awaiting": "Awaiting clinical review",
    "overdue": "Review overdue",
    "due_soon": "Review due within 30 days",
    "current": "Reviewed",
}


class ReviewStateFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return list(REVIEW_LABELS.items())

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "awaiting":
            return queryset.awaiting_review()
        if self.value() == "overdue":
            return queryset.review_overdue(today)
        if self.value() == "due_soon":
            return queryset.review_due_soon(today)
        if self.value() == "current":
            return (
                queryset.exclude(pk__in=queryset.awaiting_review())
                .exclude(pk__in=queryset.review_overdue(today))
                .exclude(pk__in=queryset.review_due_soon(today))
            )
        return queryset


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 0
    fields = ["question", "answer", "order"]


REVIEW_FIELDSET = (
    "Clinical review",
    {
        "fields": ["reviewed_by", "reviewed_on", "next_review_due"],
        "description": "Until a clinician's name and date are recorded, the page tells patients it is awaiting "
        "clinical review.",
    },
)


class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "review_badge", "reviewed_on", "next_review_due", "updated_at", "preview_link"]
    list_filter = ["status", ReviewStateFilter]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [FAQInline]
    save_on_top = True
    preview_url_name = ""

    @admin.display(description="Review")
    def review_badge(self, page):
        return REVIEW_LABELS[page.review_state(timezone.localdate())]

    @admin.display(description="Preview")
    def preview_link(self, page):
        return format_html('<a href="{}">Preview</a>', reverse(self.preview_url_name, args=[page.slug]))


@admin.register(ConditionPage)
class ConditionPageAdmin(PageAdmin):
    preview_url_name = "treatments:preview_condition"
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "seo_title", "seo_description"]}),
        ("Sections", {"fields": [name for name, _ in ConditionPage.SECTIONS] + ["milialar_note"]}),
        REVIEW_FIELDSET,
    ]


@admin.register(TreatmentPage)
class TreatmentPageAdmin(PageAdmin):
    preview_url_name = "treatments:preview_treatment"
    list_display = ["title", "order", *PageAdmin.list_display[1:]]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order", "summary", "seo_title", "seo_description"]}),
        ("At a glance", {"fields": [name for name, _ in TreatmentPage.AT_A_GLANCE]}),
        ("Comparison table on the milia page", {"fields": ["suits", "scar_risk", "colour_change", "can_cause_milia"]}),
        ("Sections", {"fields": [name for name, _ in TreatmentPage.SECTIONS] + ["clinic_decisions"]}),
        REVIEW_FIELDSET,
    ]


# --- Aftercare --------------------------------------------------------------


@admin.register(AftercareStep)
class AftercareStepAdmin(admin.ModelAdmin):
    """Content editors: each treatment's aftercare emails, the day and time they go, and their review."""

    list_display = ["title", "treatment", "day_offset", "send_time", "active", "review_badge", "version", "updated_at"]
    list_filter = ["treatment", "active", ReviewStateFilter]
    list_select_related = ["treatment"]
    search_fields = ["title", "body"]
    ordering = ["treatment__order", "day_offset"]
    readonly_fields = ["version", "updated_at"]
    save_on_top = True
    fieldsets = [
        (
            "When it is sent",
            {
                "fields": ["treatment", "day_offset", "send_time", "active"],
                "description": "Emails are scheduled when a clinician records the treatment, at this local time on "
                "this day. Changing the day or time applies to treatments recorded from now on.",
            },
        ),
        (
            "The email",
            {
                "fields": ["title", "body", "help_levels"],
                "description": "Emails not sent yet go out with the text as it is when they are sent, and the "
                "version sent is recorded. The subject is always 'A message from' and the clinic's name.",
            },
        ),
        (
            "Clinical review",
            {
                "fields": ["reviewed_by", "reviewed_on", "next_review_due"],
                "description": "Until a clinician's name and date are recorded, this step is listed as awaiting "
                "clinical review.",
            },
        ),
        ("Version", {"fields": ["version", "updated_at"]}),
    ]

    review_badge = PageAdmin.review_badge
