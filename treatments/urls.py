from django.urls import path

from . import views

app_name = "treatments"

urlpatterns = [
    path("milia/", views.condition, name="condition"),
    path("milialar/", views.milialar, name="milialar"),
    path("treatments/", views.treatment_index, name="index"),
    path("treatments/<slug:slug>/", views.treatment_detail, name="detail"),
    path("search/", views.search, name="search"),
    path("preview/condition/<slug:slug>/", views.preview_condition, name="preview_condition"),
    path("preview/treatments/<slug:slug>/", views.preview_treatment, name="preview_treatment"),
]
