from django.urls import path
from django.views.generic import TemplateView

app_name = "treatments"

urlpatterns = [
    path("milia/", TemplateView.as_view(template_name="home.html"), name="condition"),
    path("treatments/", TemplateView.as_view(template_name="home.html"), name="index"),
    path("search/", TemplateView.as_view(template_name="home.html"), name="search"),
]
