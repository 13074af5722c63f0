from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Patient information"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import models, page_cache

        # What the cached public pages show: any change makes the next anonymous request render them again.
        for model in (models.ConditionPage, models.TreatmentPage, models.FAQ, models.AftercareStep):
            for signal in (post_save, post_delete):
                signal.connect(page_cache.content_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
