"""Wiring: URLs of the programme app, under /programmes/."""

from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("<slug:slug>/", views.programme_detail, name="detail"),
]
