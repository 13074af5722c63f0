"""The Celery application: settings come from Django's CELERY_* settings."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["clinic.mail", "clinic.staff", "clinic.aftercare", "clinic.waitlist"])


@task_prerun.connect
def bind_task_to_log_lines(task_id=None, task=None, **kwargs):
    """Every log line a task writes carries its id (task ids only: never its arguments)."""
    from clinic.lib import log_context

    task.request.log_context_token = log_context.push(task_id=task_id)


@task_postrun.connect
def unbind_task_from_log_lines(task=None, **kwargs):
    from clinic.lib import log_context

    token = getattr(task.request, "log_context_token", None)
    if token is not None:
        log_context.pop(token)
