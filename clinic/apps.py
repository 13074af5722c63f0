from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from treatments import models as content

        from .aftercare import services as aftercare
        from .booking import services as booking
        from .booking import timing  # noqa: F401 (registers the start-up check of the timing rules)
        from .lib import page_cache
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
        # What the cached public pages show: any change makes the next anonymous request render them again.
        for model in (content.ConditionPage, content.TreatmentPage, content.FAQ, content.AftercareStep):
            for signal in (post_save, post_delete):
                signal.connect(page_cache.content_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
        # The role groups follow ROLE_PERMISSIONS after every migrate, from the live models.
        post_migrate.connect(roles.sync_groups, sender=self)
