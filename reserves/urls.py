"""Wiring: URLs of the reserves app."""

app_name = "reserves"
urlpatterns = []
