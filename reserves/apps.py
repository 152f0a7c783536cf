"""Wiring: the reserves app's configuration."""

from django.apps import AppConfig


class ReservesConfig(AppConfig):
    name = "reserves"
    verbose_name = "Reserves"
