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
    *_crud("clinic", "patient", "view", "add", "change"),
    *_crud("clinic", "practitioner", "view", "change"),
    *_crud("clinic", "workinghours", "view", "add", "change", "delete"),
    *_crud("clinic", "closure", "view", "add", "change", "delete"),
    *_crud("clinic", "consultationtype", "view"),
    # The emails sent to patients, and retrying one that failed.
    *_crud("clinic", "outbox", "view", "change"),
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
        *_crud("treatments", "treatmentpage", "view"),
    ],
    # Patient information and aftercare content, which is everything in the treatments app; nothing about patients.
    CONTENT_EDITOR: "treatments",
    CLINIC_MANAGER: "__all__",
}


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
            group.permissions.set(Permission.objects.filter(content_type__app_label=wanted))
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
