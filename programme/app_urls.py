"""Wiring: URLs of the programme app, under /programmes/. Each part keeps its own list."""

from . import urls_record, urls_reports

app_name = "programme"
urlpatterns = urls_record.urlpatterns + urls_reports.urlpatterns
