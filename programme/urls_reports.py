"""Wiring: URLs of the dashboard, audit history and reports."""

urlpatterns = []
