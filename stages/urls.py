"""Wiring: URLs of the stages app."""

app_name = "stages"
urlpatterns = []
