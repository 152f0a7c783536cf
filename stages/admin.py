"""Wiring: the Django admin for stages, with history."""
