"""Refresh the loaded pages, FAQs and aftercare steps from treatments/content/*.toml (issue 14).

The changed content: warning signs only in the safety net (no hand-written lists in sections or
steps), aftercare emails that start without naming the treatment, the "Things you may have read"
section, the colour-change row, "brown and black skin", terms explained in place.

Like 0002 it reads only the data files. It changes only what nobody has touched since it was
loaded: an item still awaiting clinical review and with no edit history (edits through the app
are recorded by simple_history; migrations are not). Anything an editor or clinician has changed
is left as it is.
"""

import datetime
import tomllib
from pathlib import Path

from django.db import migrations

CONTENT = Path(__file__).resolve().parents[1] / "content"
PAGE_FIELDS = ("title", "seo_title", "seo_description", "summary")


def read(name):
    return tomllib.loads((CONTENT / f"{name}.toml").read_text(encoding="utf-8"))


def untouched(apps, obj):
    history = apps.get_model("treatments", f"Historical{type(obj).__name__}")
    return not (obj.reviewed_by or obj.reviewed_on) and not history.objects.filter(id=obj.pk).exists()


def set_fields(obj, values):
    names = {field.name for field in obj._meta.get_fields()}
    for key, value in values.items():
        if key in names:
            setattr(obj, key, value)


def refresh_faqs(apps, page_filter, faqs):
    FAQ = apps.get_model("treatments", "FAQ")
    history = apps.get_model("treatments", "HistoricalFAQ")
    for order, data in enumerate(faqs):
        faq = FAQ.objects.filter(order=order, **page_filter).first()
        if faq and not history.objects.filter(id=faq.pk).exists():
            faq.question, faq.answer = data["question"], data["answer"]
            faq.save(update_fields=["question", "answer"])


def refresh(apps, schema_editor):
    ConditionPage = apps.get_model("treatments", "ConditionPage")
    TreatmentPage = apps.get_model("treatments", "TreatmentPage")
    AftercareStep = apps.get_model("treatments", "AftercareStep")

    data = read("milia")
    page = ConditionPage.objects.filter(slug=data["slug"]).first()
    if page and untouched(apps, page):
        set_fields(page, {f: data[f] for f in PAGE_FIELDS})
        set_fields(page, data["sections"])
        page.save()
        refresh_faqs(apps, {"condition": page}, data["faqs"])

    for name in ("extraction", "laser", "dermabrasion", "excision"):
        data = read(name)
        page = TreatmentPage.objects.filter(slug=data["slug"]).first()
        if page is None:
            continue
        if untouched(apps, page):
            set_fields(page, {f: data[f] for f in PAGE_FIELDS})
            for table in ("comparison", "at_a_glance", "sections"):
                set_fields(page, data[table])
            page.save()
            refresh_faqs(apps, {"treatment": page}, data["faqs"])
        for step_data in data.get("aftercare_steps", ()):
            step = AftercareStep.objects.filter(treatment=page, day_offset=step_data["day"]).first()
            if step is None or not untouched(apps, step):
                continue
            new = {
                "send_time": datetime.time.fromisoformat(step_data["send_time"]),
                "title": step_data["title"],
                "body": step_data["body"],
                "help_levels": ",".join(step_data["help_levels"]),
            }
            if any(getattr(step, key) != value for key, value in new.items()):
                set_fields(step, new)
                step.version += 1  # a new version: emails already queued go out with it, and record it
                step.save()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0004_myths_and_colour_change")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
