"""Staff roles: Django groups and the permissions each one holds.

The groups are created and kept in step after every `migrate` (a post_migrate handler, see
clinic.apps), from the live models: a role may name a model any migration added.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

RECEPTION = "Reception"
CLINICIAN = "Clinician"
CONTENT_EDITOR = "Content editor"
CLINIC_MANAGER = "Clinic manager"


def _crud(app, model, *actions):
    return [f"{app}.{action}_{model}" for action in actions]


_RECEPTION = [
    *_crud("clinic", "appointment", "view", "change"),
    # Booking for a patient at the front desk (phone or walk-in), inside the minimum notice if need be.
    "clinic.add_appointment",
    "clinic.override_booking_rules",
    *_crud("clinic", "patient", "view", "add", "change"),
    *_crud("clinic", "practitioner", "view", "change"),
    *_crud("clinic", "workinghours", "view", "add", "change", "delete"),
    *_crud("clinic", "closure", "view", "add", "change", "delete"),
    *_crud("clinic", "consultationtype", "view"),
    # The emails sent to patients, and retrying one that failed.
    *_crud("clinic", "outbox", "view", "change"),
    # Who is waiting for a clinician's call about a worry: name and phone, nothing clinical.
    "clinic.view_callbacks",
    # The waiting list: adding patients, changing their wishes, taking them off; the offers made.
    *_crud("clinic", "waitlistentry", "view", "add", "change"),
    *_crud("clinic", "waitlistoffer", "view"),
]

ROLE_PERMISSIONS = {
    RECEPTION: _RECEPTION,
    CLINICIAN: [
        *_RECEPTION,
        "clinic.view_questionnaire",
        *_crud("clinic", "treatmentrecord", "view", "add", "change"),
        "clinic.view_concern",
        *_crud("clinic", "aftercarecheckin", "view", "change"),
        # Reading the patient information and aftercare steps, and signing off their clinical text.
        *_crud("treatments", "treatmentpage", "view"),
        *_crud("treatments", "conditionpage", "view"),
        *_crud("treatments", "aftercarestep", "view"),
        "treatments.sign_off_content",
    ],
    # Patient information and aftercare content, which is everything in the treatments app; nothing about patients.
    CONTENT_EDITOR: "treatments",
    CLINIC_MANAGER: "__all__",
}
# Permissions a whole-app role does not get: editors draft, clinicians sign off (treatments.review).
NOT_WITH_THE_APP = {"treatments": ["sign_off_content"]}


def sync_groups(apps=global_apps, plan=None, **kwargs):
    """Create the role groups and give each exactly its permissions; a post_migrate handler.

    `flush` sends post_migrate too, with no migration plan: groups are data, and a flushed database
    gets them back from its next `migrate` (or, in the tests, from the serialized snapshot, which a
    second copy made here would collide with).
    """
    if plan is None:
        return
    # Each app's permissions are made by its own post_migrate handler, which may not have run yet.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if wanted == "__all__":
            group.permissions.set(Permission.objects.all())
        elif isinstance(wanted, str):  # a whole app
            app_permissions = Permission.objects.filter(content_type__app_label=wanted)
            group.permissions.set(app_permissions.exclude(codename__in=NOT_WITH_THE_APP.get(wanted, [])))
        else:
            group.permissions.set(_permissions(Permission, wanted))


def _permissions(Permission, dotted_names):
    found = []
    for dotted in dotted_names:
        app_label, codename = dotted.split(".")
        # A filter, not a get: "clinic.view_questionnaire" is both Appointment's custom permission
        # and the Questionnaire model's own view permission; has_perm accepts either.
        matches = list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        if not matches:
            raise LookupError(f"No permission {dotted}")
        found += matches
    return found
