"""The Celery application: configured from Django settings (namespace CELERY_)."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("olive_branch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _database_connection_fit_for_use(task=None, **kwargs) -> None:
    """What Django does at the start of a request: drop a connection that broke or outlived
    CONN_MAX_AGE (CELERY_DB_REUSE_MAX keeps it between tasks). Not for a task run eagerly,
    inside the caller's transaction."""
    if task is not None and not getattr(task.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
