from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Patient information"

    def ready(self):
        from clinic import outbox

        from . import aftercare

        # Aftercare emails go out with the step as it is when they are sent, not when queued.
        outbox.register_renderer(aftercare.KIND, aftercare.render_for_sending)
