from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from . import booking, outbox

        # Booking emails get their manage link when they are sent: no stored body holds a working one.
        for kind in booking.MANAGE_LINK_KINDS:
            outbox.register_renderer(kind, booking.fill_in_manage_link)
