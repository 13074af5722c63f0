"""Load the demo data for a local run: idempotent, and only with DEBUG on."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.demo import load_demo_schedule, load_demo_week
from clinic.staff.two_factor import new_authenticator, setup_instructions
from treatments import review
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

DEMO_USERNAME = "demo-manager"


class Command(BaseCommand):
    help = "Create the demo clinic, a few days of its diary and a demo staff login (DEBUG only); idempotent."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo only runs with DEBUG=true: it creates a staff login.")
        load_demo_schedule()
        signed = self.sign_off_as_demo()
        if signed:
            self.stdout.write(
                f"Demo sign-off: {signed} pages and aftercare steps marked signed off by '{review.DEMO_REVIEWER}' "
                "so the demo shows them (the page footer says so; not valid with DEBUG off)."
            )
        made = load_demo_week(now=timezone.now())
        if made:
            self.stdout.write(
                f"Demo diary: {made} appointments today and over the next days, one patient seen earlier "
                "with aftercare started and a worried check-in waiting for a clinician."
            )
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "demo@clinic.example"}
        )
        # A fresh one-time password each run: nothing reusable sits in the repo or the terminal history.
        user.set_password(password)
        user.save(update_fields=["password"])
        self.stdout.write(
            f"Staff login for this run: {settings.SITE_URL}/{settings.ADMIN_URL}  "
            f"username {DEMO_USERNAME}  password {password}"
        )
        if settings.STAFF_2FA_REQUIRED:
            # A fresh authenticator secret each run too, like the password.
            self.stdout.write("Two-factor sign-in is on (STAFF_2FA_REQUIRED): set up the demo login's code.")
            self.stdout.write(setup_instructions(new_authenticator(user)))

    def sign_off_as_demo(self):
        """Content without a valid sign-off gets the demo reviewer's (DEBUG only); real sign-offs are kept."""
        now = timezone.now()
        signed = 0
        for model in (ConditionPage, TreatmentPage, AftercareStep):
            items = model.objects.prefetch_related("faqs") if hasattr(model, "faqs") else model.objects.all()
            for item in items:
                if not review.has_valid_sign_off(item):
                    review.sign_off_as_demo(item, now=now)
                    signed += 1
        return signed
