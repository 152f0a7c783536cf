"""The Django project package, and the programme app (programme record, decisions, reports)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
