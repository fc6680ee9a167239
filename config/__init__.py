"""Project configuration; importing it loads Celery so shared tasks bind to our app."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
