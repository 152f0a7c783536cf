"""Wiring: URLs of the programme record (decision, recommendations, consultees, sign-offs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.programme_detail, name="detail"),
]
