"""URLs of the programme record (decision, recommendations, consultees, sign-offs, benefits,
glossary and exports), under /programmes/."""

from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("<slug:slug>/", views.programme_detail, name="detail"),
    path("<slug:slug>/print/", views.programme_print, name="print"),
    path("<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("<slug:slug>/status/", views.programme_status, name="status"),
    path("<slug:slug>/record/<str:kind>/add/", views.item_edit, name="item_add"),
    path("<slug:slug>/record/<str:kind>/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<slug:slug>/consultations/add/", views.consultation_edit, name="consultation_add"),
    path(
        "<slug:slug>/consultations/<int:pk>/edit/",
        views.consultation_edit,
        name="consultation_edit",
    ),
    path("<slug:slug>/sign-offs/<str:area>/", views.review_edit, name="review_edit"),
    path("<slug:slug>/benefits/add/", views.benefit_edit, name="benefit_add"),
    path("<slug:slug>/benefits/<int:pk>/edit/", views.benefit_edit, name="benefit_edit"),
    path("<slug:slug>/benefits/<int:pk>/actuals/add/", views.measure_add, name="measure_add"),
    path("<slug:slug>/glossary/add/", views.glossary_edit, name="glossary_add"),
    path("<slug:slug>/glossary/<int:pk>/edit/", views.glossary_edit, name="glossary_edit"),
    path(
        "<slug:slug>/recommendations/<int:pk>/decide/",
        views.recommendation_decide,
        name="recommendation_decide",
    ),
    path("<slug:slug>/export/<str:register>.<str:fmt>", views.programme_export, name="export"),
]
