"""Load the initial milia and treatment pages, published and marked as awaiting clinical review."""

from django.db import migrations

from treatments import seed

PAGE_FIELDS = ("slug", "title", "seo_title", "seo_description", "summary")


def load(apps, schema_editor):
    ConditionPage = apps.get_model("treatments", "ConditionPage")
    TreatmentPage = apps.get_model("treatments", "TreatmentPage")
    FAQ = apps.get_model("treatments", "FAQ")

    data = seed.CONDITION
    if not ConditionPage.objects.filter(slug=data["slug"]).exists():
        page = ConditionPage.objects.create(
            status="published", **{f: data[f] for f in PAGE_FIELDS}, **data["sections"]
        )
        for order, (question, answer) in enumerate(data["faqs"]):
            FAQ.objects.create(condition=page, question=question, answer=answer, order=order)

    for order, data in enumerate(seed.TREATMENTS):
        if TreatmentPage.objects.filter(slug=data["slug"]).exists():
            continue
        comparison = data["comparison"]
        page = TreatmentPage.objects.create(
            status="published",
            order=order,
            suits=comparison["suits"],
            scar_risk=comparison["scar_risk"],
            can_cause_milia=comparison["can_cause_milia"],
            **{f: data[f] for f in PAGE_FIELDS},
            **data["at_a_glance"],
            **data["sections"],
        )
        for faq_order, (question, answer) in enumerate(data["faqs"]):
            FAQ.objects.create(treatment=page, question=question, answer=answer, order=faq_order)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_pages")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
