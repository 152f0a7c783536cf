"""Wiring: URLs of the risks app."""

app_name = "risks"
urlpatterns = []
