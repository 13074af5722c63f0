"""The site's URLs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views, views_booking, views_manage

booking_urls = [
    path("", views_booking.choose, name="choose"),
    path("times/", views_booking.times, name="times"),
    path("details/", views_booking.details, name="details"),
    path("questions/", views_booking.questions, name="questions"),
    path("review/", views_booking.review, name="review"),
    path("confirmed/", views_booking.confirmed, name="confirmed"),
    path("confirmed/calendar.ics", views_booking.confirmed_calendar, name="confirmed_calendar"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("book/", include((booking_urls, "booking"))),
    path("book/", views_booking.choose, name="book"),
    path("privacy/", views_booking.privacy, name="privacy"),
    path("manage/done/cancelled/", views_manage.cancelled, name="manage_cancelled"),
    path("manage/done/moved/", views_manage.moved, name="manage_moved"),
    path("manage/<str:token>/", views_manage.manage, name="manage"),
    path("manage/<str:token>/cancel/", views_manage.cancel, name="manage_cancel"),
    path("manage/<str:token>/move/", views_manage.reschedule, name="manage_reschedule"),
    path("manage/<str:token>/move/confirm/", views_manage.reschedule_confirm, name="manage_reschedule_confirm"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("email/", include("clinic.urls_email")),
    path("", include("treatments.urls")),
]

handler400 = "clinic.views.bad_request"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
