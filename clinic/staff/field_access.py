"""Who may read what: one rule for every page, history, export, filter and preview that shows a field.

A staff member reads a model's rows with its view permission; a few fields are clinical and
need a permission of their own. Change pages, history pages, patient exports and list
filters all ask `can_read`, so a field hidden in one place is hidden everywhere.
"""

# (app label, model, field) -> the permission needed to read that field, beyond the model's view permission.
RESTRICTED_FIELDS = {
    ("clinic", "appointment", "notes"): "clinic.view_questionnaire",
    ("clinic", "aftercarecheckin", "message"): "clinic.view_concern",
}
# Models whose every field is clinical.
RESTRICTED_MODELS = {
    ("clinic", "questionnaire"): "clinic.view_questionnaire",
    ("clinic", "aftercarecheckin"): "clinic.view_concern",
}
# Never shown to anyone: stored only to check a link or a retry against.
SECRET_FIELDS = {"manage_token_hash", "idempotency_key", "token_hash"}


def can_read(user, model, field=None):
    """May `user` read this model's rows (and, if given, this field of them)?"""
    app_label, model_name = model._meta.app_label, model._meta.model_name
    if not user.has_perm(f"{app_label}.view_{model_name}"):
        return False
    model_perm = RESTRICTED_MODELS.get((app_label, model_name))
    if model_perm and not user.has_perm(model_perm):
        return False
    if field is None:
        return True
    if field in SECRET_FIELDS:
        return False
    field_perm = RESTRICTED_FIELDS.get((app_label, model_name, field))
    return field_perm is None or user.has_perm(field_perm)


def hidden_fields(user, model):
    """The names of `model`'s fields this user may not read."""
    return {f.name for f in model._meta.get_fields() if not can_read(user, model, f.name)}
