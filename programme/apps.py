"""Wiring: the programme app's configuration."""

from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"
