"""The admin for content editors: structured sections, review dates, previews; clinicians sign off here.

Editors draft; a clinician (the Clinician or Clinic manager role) signs off with the action
"Sign off the clinical text", which records them, the date, the next review due and the text's
fingerprint (treatments.review). The review fields are read-only: a sign-off is made, not typed.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import review
from .models import FAQ, AftercareStep, ConditionPage, TreatmentPage

REVIEW_LABELS = {
    "needs": "Needs review (awaiting, overdue or due soon)",
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
        if self.value() == "needs":  # what the staff dashboard counts
            return queryset.review_overdue(today) | queryset.review_due_soon(today) | queryset.awaiting_review()
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


REVIEW_FIELDS = ["sign_off_state", "reviewed_by", "reviewed_on", "next_review_due"]
REVIEW_FIELDSET = (
    "Clinical sign-off",
    {
        "fields": REVIEW_FIELDS,
        "description": "The public sees a published page only once a clinician has signed off its text (the list's "
        "action 'Sign off the clinical text'). Any change to the text or its FAQs sends it back for review.",
    },
)


class SignOffMixin:
    """The clinicians' sign-off action and the sign-off state, for pages and aftercare steps."""

    actions = ["sign_off"]

    @admin.action(description="Sign off the clinical text (clinicians)", permissions=["sign_off"])
    def sign_off(self, request, queryset):
        now = timezone.now()
        items = queryset.prefetch_related("faqs") if hasattr(queryset.model, "faqs") else queryset
        done = 0
        for item in items:
            review.sign_off(item, user=request.user, now=now)
            done += 1
        self.message_user(request, f"{done} signed off, next review due in a year.", messages.SUCCESS)

    def has_sign_off_permission(self, request):
        return review.can_sign_off(request.user)

    @admin.display(description="Clinical sign-off")
    def sign_off_state(self, item):
        if item.pk is None:
            return review.STATES["unreviewed"]
        return review.STATES[review.sign_off_state(item, now=timezone.now())]


class PageAdmin(SignOffMixin, admin.ModelAdmin):
    list_display = ["title", "status", "review_badge", "reviewed_on", "next_review_due", "updated_at", "preview_link"]
    list_filter = ["status", ReviewStateFilter]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = REVIEW_FIELDS
    inlines = [FAQInline]
    save_on_top = True
    preview_url_name = ""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("faqs")

    @admin.display(description="Review")
    def review_badge(self, page):
        return review.STATES[review.sign_off_state(page, now=timezone.now())]

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
class AftercareStepAdmin(SignOffMixin, admin.ModelAdmin):
    """Content editors: each treatment's aftercare emails, the day and time they go, and their review."""

    list_display = ["title", "treatment", "day_offset", "send_time", "active", "review_badge", "version", "updated_at"]
    list_filter = ["treatment", "active", ReviewStateFilter]
    list_select_related = ["treatment"]
    search_fields = ["title", "body"]
    ordering = ["treatment__order", "day_offset"]
    readonly_fields = ["version", "updated_at", *REVIEW_FIELDS]
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
            "Clinical sign-off",
            {
                "fields": REVIEW_FIELDS,
                "description": "An email of this step is sent only once a clinician has signed off its text (the "
                "list's action 'Sign off the clinical text'); until then it is held, and the dashboard lists it. "
                "Any change to the day, heading, text or help levels sends it back for review.",
            },
        ),
        ("Version", {"fields": ["version", "updated_at"]}),
    ]

    review_badge = PageAdmin.review_badge
