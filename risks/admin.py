"""Wiring: the Django admin for risks, with history."""
