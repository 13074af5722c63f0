"""What search engines and link previews read: which pages are public, and their JSON-LD.

JSON-LD (schema.org) is written into a <script type="application/ld+json"> element. It is built
from page fields and settings, so it is escaped the way Django's json_script escapes: "<", ">"
and "&" become \\u escapes, and no text can close the script element or open a comment.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

SCHEMA = "https://schema.org"
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data):
    """A <script type="application/ld+json"> element holding the data, safe whatever text it holds."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    # The only other mark_safe besides the Markdown sanitiser: the JSON above cannot end the element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def absolute(path):
    return settings.SITE_URL + path


def clinic_entity():
    """The clinic as a MedicalClinic, from the CLINIC_* settings."""
    s = settings
    address = {
        "@type": "PostalAddress",
        "streetAddress": s.CLINIC_ADDRESS_STREET,
        "addressLocality": s.CLINIC_ADDRESS_LOCALITY,
        "postalCode": s.CLINIC_ADDRESS_POSTCODE,
        # The country whose phone numbers the clinic takes without a code is the clinic's own (ISO 3166).
        "addressCountry": s.CLINIC_PHONE_REGION,
    }
    return {
        "@type": "MedicalClinic",
        "@id": absolute("/#clinic"),
        "name": s.CLINIC_NAME,
        "url": absolute("/"),
        "telephone": s.CLINIC_PHONE,
        "email": s.CLINIC_EMAIL,
        "address": address,
        "openingHours": list(s.CLINIC_OPENING_HOURS_SCHEMA),
        "medicalSpecialty": "Dermatology",
    }


def _reviewed(entity, page):
    if not page.awaiting_review:
        entity["lastReviewed"] = page.reviewed_on.isoformat()
        entity["reviewedBy"] = {"@type": "Person", "name": page.reviewed_by}
    return entity


def _webpage(page, url, about):
    """The MedicalWebPage of a content page, reviewed as its sign-off says, published by the clinic."""
    webpage = {
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": page.seo_title or page.title,
        "description": page.seo_description or page.summary,
        "dateModified": page.updated_at,
        "inLanguage": "en-GB",
        **about,
        "publisher": {"@id": absolute("/#clinic")},
    }
    return _reviewed(webpage, page)


def condition_page_json_ld(page):
    """The milia page: a MedicalWebPage about the MedicalCondition, published by the clinic."""
    url = absolute(page.get_absolute_url())
    condition = {
        "@type": "MedicalCondition",
        "name": page.title,
        "description": page.summary,
        "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Skin"},
    }
    about = {"audience": {"@type": "MedicalAudience", "audienceType": "Patient"}, "about": condition}
    return {"@context": SCHEMA, "@graph": [_webpage(page, url, about), clinic_entity()]}


def treatment_page_json_ld(page):
    """A treatment page: the MedicalProcedure, on a MedicalWebPage published by the clinic."""
    url = absolute(page.get_absolute_url())
    procedure = {
        "@type": "MedicalProcedure",
        "@id": url + "#procedure",
        "name": page.title,
        "description": page.summary,
        "url": url,
        "bodyLocation": "Skin",
    }
    webpage = _webpage(page, url, {"about": {"@id": procedure["@id"]}})
    return {"@context": SCHEMA, "@graph": [procedure, webpage, clinic_entity()]}


def clinic_json_ld():
    return {"@context": SCHEMA, **clinic_entity()}
