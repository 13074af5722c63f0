"""Staff roles: Django groups and the permissions each one holds.

The groups are created (and kept in step) by data migrations that call `sync_groups`; a
change here needs a new migration that calls it again.
"""

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
]

ROLE_PERMISSIONS = {
    RECEPTION: _RECEPTION,
    CLINICIAN: [
        *_RECEPTION,
        "clinic.view_questionnaire",
        *_crud("clinic", "treatmentrecord", "view", "add", "change"),
        "treatments.view_concern",
        *_crud("treatments", "aftercarecheckin", "view", "change"),
        *_crud("treatments", "treatmentpage", "view"),
    ],
    # Patient information and aftercare content; nothing about patients.
    CONTENT_EDITOR: [
        *_crud("treatments", "treatmentpage", "view", "add", "change"),
        *_crud("treatments", "conditionpage", "view", "add", "change"),
        *_crud("treatments", "faq", "view", "add", "change", "delete"),
        *_crud("treatments", "aftercarestep", "view", "add", "change"),
    ],
    CLINIC_MANAGER: "__all__",
}


def sync_groups(apps, schema_editor=None):
    """Create the role groups and give each exactly its permissions (for data migrations)."""
    # Permissions are normally made after all migrations have run; a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if wanted == "__all__":
            group.permissions.set(Permission.objects.all())
            continue
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            # A filter, not a get: "clinic.view_questionnaire" is both Appointment's custom permission
            # and the Questionnaire model's own view permission; has_perm accepts either.
            found = list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
            if not found:
                raise LookupError(f"No permission {dotted}")
            permissions += found
        group.permissions.set(permissions)
