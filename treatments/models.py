"""Patient information: the milia page and the treatment pages, with clinical review."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from . import review

MARKDOWN_HELP = "Markdown: blank line between paragraphs, '- ' for bullet points, **bold**, ### for a sub-heading."

# Pages due for review within this many days show up in the admin's review list.
REVIEW_WARNING_DAYS = 30


class ReviewQuerySet(models.QuerySet):
    """Clinical review queries shared by pages and aftercare steps."""

    def review_overdue(self, today):
        return self.filter(next_review_due__lt=today)

    def review_due_soon(self, today):
        return self.filter(
            next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=REVIEW_WARNING_DAYS)
        )

    def awaiting_review(self):
        """Items without a valid clinical sign-off: never signed off, or their clinical text changed since.

        Decided in Python from each item's fingerprint (a few dozen rows at most), returned as a queryset.
        """
        items = self.prefetch_related("faqs") if hasattr(self.model, "faqs") else self
        return self.filter(pk__in=[item.pk for item in items if not review.has_valid_sign_off(item)])


class PageQuerySet(ReviewQuerySet):
    def published(self):
        return self.filter(status=Page.Status.PUBLISHED)


class ClinicalReview(models.Model):
    """Who signed off the clinical content, when, for which text, and when it must be looked at again.

    Set only by `treatments.review.sign_off` (a clinician's sign-off); see that module for the gate.
    """

    # The fields whose text the sign-off covers (a page's FAQs too); each model names its own.
    CLINICAL_FIELDS: tuple[str, ...] = ()

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The clinician who signed off the clinical text.",
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The name shown with the sign-off (the reviewer's name, or the demo reviewer).",
    )
    reviewed_on = models.DateField(null=True, blank=True, editable=False, help_text="The date of the sign-off.")
    next_review_due = models.DateField(
        null=True, blank=True, editable=False, help_text="When it must be checked again (set at sign-off)."
    )
    signed_off_fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the clinical text that was signed off."
    )
    demo_sign_off = models.BooleanField(
        default=False, editable=False, help_text="Signed off by the demo reviewer (load_demo): valid only with DEBUG."
    )

    class Meta:
        abstract = True

    @property
    def awaiting_review(self):
        """No valid sign-off for the text as it is now (never signed off, or changed since)."""
        return not review.has_valid_sign_off(self)

    def review_state(self, today):
        """One of: awaiting, overdue, due_soon, current."""
        if self.awaiting_review:
            return "awaiting"
        if self.next_review_due and self.next_review_due < today:
            return "overdue"
        if self.next_review_due and self.next_review_due <= today + datetime.timedelta(days=REVIEW_WARNING_DAYS):
            return "due_soon"
        return "current"


class Page(ClinicalReview):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (staff preview only)"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(
        unique=True, help_text="The last part of the page's address. Change with care: links break."
    )
    title = models.CharField(max_length=120)
    seo_title = models.CharField(
        max_length=70, blank=True, help_text="Title shown by search engines (up to 60 letters)."
    )
    seo_description = models.CharField(
        max_length=170, blank=True, help_text="Summary shown by search engines (up to 155 letters)."
    )
    summary = models.TextField(help_text="One or two plain sentences at the top of the page. No Markdown.")
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="A published page is shown to the public only once a clinician has signed off its text.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(inherit=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


def section(label, help_text=""):
    return models.TextField(label, blank=True, help_text=f"{help_text} {MARKDOWN_HELP}".strip())


class ConditionPage(Page):
    """A condition explained for patients (milia)."""

    what_they_are = section("What they are")
    types = section("Types")
    causes = section("Causes and triggers", "Only what reliable sources support.")
    differences = section("How they differ from whiteheads and miliaria")
    natural_course = section("What usually happens")
    when_to_see_a_doctor = section("When to see a doctor")
    what_not_to_do = section("What not to do")
    myths = section(
        "Things you may have read",
        "Each myth the fact brief lists, corrected, with its sources. Site search finds the page by these words.",
    )
    milialar_note = section("About the word 'milialar'", "Shown in a short box: 'milialar' is not a medical term.")

    CLINICAL_FIELDS = (
        "title",
        "seo_title",
        "seo_description",
        "summary",
        "what_they_are",
        "types",
        "causes",
        "differences",
        "natural_course",
        "when_to_see_a_doctor",
        "what_not_to_do",
        "milialar_note",
    )

    SECTIONS = (
        ("what_they_are", "What milia are"),
        ("types", "Types of milia"),
        ("causes", "Causes and triggers"),
        ("differences", "Milia, whiteheads and miliaria"),
        ("natural_course", "Do milia go away?"),
        ("when_to_see_a_doctor", "When to see a doctor"),
        ("what_not_to_do", "What not to do"),
        ("myths", "Things you may have read"),
    )

    class Meta:
        verbose_name = "condition page"

    def get_absolute_url(self):
        return reverse("treatments:condition")


class TreatmentPage(Page):
    """One treatment, in structured sections, with an at-a-glance box."""

    order = models.PositiveSmallIntegerField(default=0, help_text="Position in lists and the comparison table.")
    # At a glance.
    duration = models.CharField("How long it takes", max_length=120, blank=True)
    anaesthetic = models.CharField(max_length=120, blank=True)
    downtime = models.CharField(max_length=120, blank=True)
    visits = models.CharField("Number of visits", max_length=120, blank=True)
    # Comparison table on the condition page.
    suits = models.CharField("Best suited to", max_length=160, blank=True)
    scar_risk = models.CharField("Risk of scarring", max_length=160, blank=True)
    can_cause_milia = models.CharField("Can it cause new milia?", max_length=160, blank=True)
    colour_change = models.CharField(
        "Risk of colour change", max_length=160, blank=True, help_text="Say how brown and black skin is affected."
    )
    # Sections.
    what_it_is = section("What it is")
    who_it_suits = section("Who it suits")
    who_should_not = section("Who should not have it, or should tell us first")
    on_the_day = section("On the day", "Anaesthetic and how long it takes.")
    recovery = section("Recovery")
    risks = section("Risks and side effects", "Include pigment change in darker skin.")
    aftercare_summary = section("Aftercare summary")
    price_note = section("Price and private treatment", "The clinic's own wording on fees.")
    clinic_decisions = section(
        "Still to be decided by our clinicians",
        "Points the clinic has not settled yet. Shown to patients as 'to be confirmed' until the page is reviewed.",
    )

    CLINICAL_FIELDS = (
        "title",
        "seo_title",
        "seo_description",
        "summary",
        "duration",
        "anaesthetic",
        "downtime",
        "visits",
        "suits",
        "scar_risk",
        "can_cause_milia",
        "what_it_is",
        "who_it_suits",
        "who_should_not",
        "on_the_day",
        "recovery",
        "risks",
        "aftercare_summary",
        "price_note",
        "clinic_decisions",
    )

    SECTIONS = (
        ("what_it_is", "What it is"),
        ("who_it_suits", "Who it suits"),
        ("who_should_not", "Who should not have it"),
        ("on_the_day", "On the day"),
        ("recovery", "Recovery"),
        ("risks", "Risks and side effects"),
        ("aftercare_summary", "Aftercare"),
        ("price_note", "Price"),
    )
    AT_A_GLANCE = (
        ("duration", "How long it takes"),
        ("anaesthetic", "Anaesthetic"),
        ("downtime", "Downtime"),
        ("visits", "Visits"),
    )

    class Meta:
        ordering = ["order", "title"]
        verbose_name = "treatment page"
        permissions = [("sign_off_content", "Can sign off clinical content (pages and aftercare steps)")]

    def get_absolute_url(self):
        return reverse("treatments:detail", args=[self.slug])


class FAQ(models.Model):
    """A question and answer shown at the end of a page."""

    condition = models.ForeignKey(ConditionPage, null=True, blank=True, on_delete=models.CASCADE, related_name="faqs")
    treatment = models.ForeignKey(TreatmentPage, null=True, blank=True, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=250)
    answer = models.TextField(help_text=MARKDOWN_HELP)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ"
        constraints = [
            models.CheckConstraint(
                name="faq_belongs_to_exactly_one_page",
                condition=models.Q(condition__isnull=True, treatment__isnull=False)
                | models.Q(condition__isnull=False, treatment__isnull=True),
            )
        ]

    def __str__(self):
        return self.question


PLACEHOLDERS = (
    "clinic_name",
    "clinic_phone",
    "urgent_phone",
    "advice_service",
    "emergency_number",
    "emergency_department",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


class AftercareStep(ClinicalReview):
    """One email of a treatment's aftercare programme: what to tell the patient, and when."""

    class HelpLevels(models.TextChoices):
        ALL = "contact,advice,emergency", "All three levels"
        CONTACT_ADVICE = "contact,advice", "Contact us and get advice today"
        CONTACT = "contact", "Contact us only"

    # A change to any of these is a new version: the next email of this step carries it.
    VERSIONED_FIELDS = ("day_offset", "send_time", "title", "body", "help_levels")
    # What the clinical sign-off covers: what the email says, and on which day after the treatment.
    CLINICAL_FIELDS = ("day_offset", "title", "body", "help_levels")

    treatment = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="aftercare_steps")
    day_offset = models.PositiveSmallIntegerField(
        "Day", help_text="Days after the treatment: 0 is the treatment day. Emails already scheduled keep their day."
    )
    send_time = models.TimeField(
        help_text="Local time of day the email goes out (clinic time zone). Emails already scheduled keep their time."
    )
    title = models.CharField(
        max_length=120,
        help_text="Heading inside the email. Not the subject: every aftercare email's subject is "
        "'A message from' and the clinic's name, so nothing about the treatment shows in an inbox.",
    )
    body = models.TextField(
        help_text=f"{MARKDOWN_HELP} You may use "
        + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        + ": they are filled in from the clinic's settings. Emails not sent yet go out with the text as it "
        "is when they are sent."
    )
    help_levels = models.CharField(
        max_length=40,
        choices=HelpLevels.choices,
        default=HelpLevels.ALL,
        help_text="Which 'when to get help' levels the email ends with.",
    )
    active = models.BooleanField(
        default=True, help_text="Inactive steps are not scheduled, and scheduled emails of this step are not sent."
    )
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Goes up each time the content changes.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["treatment", "day_offset"]
        constraints = [models.UniqueConstraint(fields=["treatment", "day_offset"], name="one_aftercare_step_per_day")]

    def __str__(self):
        return f"{self.treatment}: day {self.day_offset}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            before = type(self).objects.filter(pk=self.pk).values(*self.VERSIONED_FIELDS).first()
            if before and any(before[name] != getattr(self, name) for name in self.VERSIONED_FIELDS):
                self.version += 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def levels(self):
        return tuple(self.help_levels.split(","))

    def filled_body(self):
        """The text with {clinic_phone} and the other known placeholders filled from settings; other braces stay."""
        s = settings
        values = {
            "clinic_name": s.CLINIC_NAME,
            "clinic_phone": s.CLINIC_PHONE,
            "urgent_phone": s.CLINIC_URGENT_PHONE,
            "advice_service": s.CLINIC_OUT_OF_HOURS_ADVICE,
            "emergency_number": s.CLINIC_EMERGENCY_NUMBER,
            "emergency_department": s.CLINIC_EMERGENCY_DEPARTMENT,
        }
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], self.body)
