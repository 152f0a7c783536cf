"""Wiring: the stages app's configuration."""

from django.apps import AppConfig


class StagesConfig(AppConfig):
    name = "stages"
    verbose_name = "Stages"
