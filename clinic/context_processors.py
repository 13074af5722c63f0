"""Template context shared by every page and email."""

from django.conf import settings

from .seo.rules import seo


def clinic_details():
    """The clinic's name and contact details, from settings."""
    return {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
        "urgent_phone": settings.CLINIC_URGENT_PHONE,
        "email": settings.CLINIC_EMAIL,
        "opening_hours": settings.CLINIC_OPENING_HOURS,
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
        "emergency_department": settings.CLINIC_EMERGENCY_DEPARTMENT,
        "advice_service": settings.CLINIC_OUT_OF_HOURS_ADVICE,
    }


def clinic(request):
    return {"clinic": clinic_details(), "seo": seo(request)}
