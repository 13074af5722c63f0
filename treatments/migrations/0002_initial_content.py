"""Load the initial milia and treatment pages, their FAQs and aftercare steps, from treatments/content/*.toml.

Reads the data files only (no application code), and creates only what does not exist yet, so
an editor's changes are never overwritten. Everything loaded awaits clinical review.
"""

import datetime
import tomllib
from pathlib import Path

from django.db import migrations

CONTENT = Path(__file__).resolve().parents[1] / "content"
PAGE_FIELDS = ("slug", "title", "seo_title", "seo_description", "summary")


def read(name):
    return tomllib.loads((CONTENT / f"{name}.toml").read_text(encoding="utf-8"))


def known(model, values):
    """Only the keys the model has at this migration: later content files add fields that later migrations load."""
    names = {field.name for field in model._meta.get_fields()}
    return {key: value for key, value in values.items() if key in names}


def load(apps, schema_editor):
    ConditionPage = apps.get_model("treatments", "ConditionPage")
    TreatmentPage = apps.get_model("treatments", "TreatmentPage")
    FAQ = apps.get_model("treatments", "FAQ")
    AftercareStep = apps.get_model("treatments", "AftercareStep")

    data = read("milia")
    if not ConditionPage.objects.filter(slug=data["slug"]).exists():
        page = ConditionPage.objects.create(status="published", **{f: data[f] for f in PAGE_FIELDS}, **known(ConditionPage, data["sections"]))
        for order, faq in enumerate(data["faqs"]):
            FAQ.objects.create(condition=page, question=faq["question"], answer=faq["answer"], order=order)

    for name in ("extraction", "laser", "dermabrasion", "excision"):
        data = read(name)
        if TreatmentPage.objects.filter(slug=data["slug"]).exists():
            continue
        page = TreatmentPage.objects.create(
            status="published",
            order=data["order"],
            **{f: data[f] for f in PAGE_FIELDS},
            **known(TreatmentPage, data["comparison"]),
            **data["at_a_glance"],
            **known(TreatmentPage, data["sections"]),
        )
        for order, faq in enumerate(data["faqs"]):
            FAQ.objects.create(treatment=page, question=faq["question"], answer=faq["answer"], order=order)
        for step in data.get("aftercare_steps", ()):
            AftercareStep.objects.create(
                treatment=page,
                day_offset=step["day"],
                send_time=datetime.time.fromisoformat(step["send_time"]),
                title=step["title"],
                body=step["body"],
                help_levels=",".join(step["help_levels"]),
            )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
