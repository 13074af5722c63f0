"""Who can be booked and when: consultation types, practitioners, their weekly hours, closures."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class ConsultationType(models.Model):
    """A kind of consultation patients can book: how long it takes and what it is for."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True, help_text="Shown to patients when they choose. Plain text.")
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)], help_text="Length of the consultation itself."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="Time the practitioner keeps free afterwards (notes, cleaning). Patients do not see it.",
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True, help_text="Leave empty to hide.")
    treatments = models.ManyToManyField(
        "treatments.TreatmentPage",
        blank=True,
        related_name="consultation_types",
        help_text="Treatment pages whose 'Book a consultation' button chooses this type.",
    )
    bookable_online = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def duration(self):
        return datetime.timedelta(minutes=self.duration_minutes)

    @property
    def buffer(self):
        return datetime.timedelta(minutes=self.buffer_minutes)


class Practitioner(models.Model):
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=120, blank=True, help_text="For example 'Consultant dermatologist'.")
    bio = models.TextField("Short biography", blank=True)
    active = models.BooleanField(default=True, help_text="Inactive practitioners cannot be booked.")
    consultation_types = models.ManyToManyField(ConsultationType, related_name="practitioners", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, help_text="Their staff login."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.title}" if self.title else self.name


class WorkingHours(models.Model):
    """One interval of a practitioner's week; several a day make breaks."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(name="working_hours_end_after_start", condition=Q(end__gt=models.F("start")))
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})


class Closure(models.Model):
    """Time nobody (or one practitioner) can be booked: holidays, training, leave."""

    practitioner = models.ForeignKey(
        Practitioner,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text="Leave empty to close the whole clinic.",
    )
    first_day = models.DateField()
    last_day = models.DateField(blank=True, null=True, help_text="Leave empty for a single day.")
    start_time = models.TimeField(null=True, blank=True, help_text="Leave both times empty for whole days.")
    end_time = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["first_day", "start_time"]
        # The form checks these too; the database makes sure no other path saves a closure that slot
        # searches cannot read (a start with no end would stop every search for its practitioner).
        constraints = [
            models.CheckConstraint(
                name="closure_times_both_or_neither_and_in_order",
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=models.F("start_time")),
            ),
            models.CheckConstraint(
                name="closure_last_day_not_before_first",
                condition=Q(last_day__isnull=True) | Q(last_day__gte=models.F("first_day")),
            ),
        ]

    def __str__(self):
        return f"{self.reason} ({self.first_day:%d %b %Y})"

    def clean(self):
        if self.last_day and self.first_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day cannot be before the first day."})
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError("Give both a start and an end time, or neither for whole days.")
        if self.start_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be after the start."})

    @property
    def end_day(self):
        return self.last_day or self.first_day
