from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .aftercare import services as aftercare
        from .booking import services as booking
        from .booking import timing  # noqa: F401 (registers the start-up check of the timing rules)
        from .mail import outbox
        from .staff import roles
        from .waitlist import services as waitlist

        # Booking emails get their manage link when they are sent: no stored body holds a working one.
        for kind in booking.MANAGE_LINK_KINDS:
            outbox.register_renderer(kind, booking.fill_in_manage_link)
        # Aftercare emails go out with the step as it is when they are sent, not when queued.
        outbox.register_renderer(aftercare.KIND, aftercare.render_for_sending)
        # Waiting-list emails get their link to the patient's place when they are sent, too.
        for kind in waitlist.KINDS:
            outbox.register_renderer(kind, waitlist.fill_in_link)
        # The role groups follow ROLE_PERMISSIONS after every migrate, from the live models.
        post_migrate.connect(roles.sync_groups, sender=self)
