"""The site's URLs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = settings.CLINIC_NAME
admin.site.site_title = f"{settings.CLINIC_NAME} staff"
admin.site.index_title = "Run the clinic's day"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("book/", views.book, name="book"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("treatments.urls")),
]

handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
