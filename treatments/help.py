"""The three-level "when to get help" block, shared by pages and emails.

The numbers and services come from the CLINIC_* settings; nothing here is hard-coded,
because an emergency number in one country is an advice line in another.
"""

from django.conf import settings

from .content import help_level_signs

LEVELS = ("contact", "advice", "emergency")


def help_levels(levels=LEVELS):
    """The requested levels, in order, each with its heading, what to do, and when."""
    s = settings
    blocks = {
        "contact": {
            "label": "Non-urgent advice",
            "heading": "Contact us if you have",
            "action": f"Call {s.CLINIC_NAME} on {s.CLINIC_PHONE} ({s.CLINIC_OPENING_HOURS}).",
            "phone": s.CLINIC_PHONE,
        },
        "advice": {
            "label": "Urgent advice",
            "heading": "Get advice today if you have",
            "action": (
                f"Call us today on {s.CLINIC_URGENT_PHONE}. If we are closed, contact {s.CLINIC_OUT_OF_HOURS_ADVICE}."
            ),
            "phone": s.CLINIC_URGENT_PHONE,
        },
        "emergency": {
            "label": "Emergency",
            "heading": f"Call {s.CLINIC_EMERGENCY_NUMBER} or go to {s.CLINIC_EMERGENCY_DEPARTMENT} now if you have",
            "action": f"Call {s.CLINIC_EMERGENCY_NUMBER} or go to the nearest {s.CLINIC_EMERGENCY_DEPARTMENT}.",
            "phone": s.CLINIC_EMERGENCY_NUMBER,
        },
    }
    return [{"key": key, "items": help_level_signs()[key], **blocks[key]} for key in LEVELS if key in levels]
