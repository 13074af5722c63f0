"""Staff sign-in: password and a code from the authenticator app on one form, and one answer for every failure."""

from django import forms
from django.contrib.auth.signals import user_login_failed
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class ClinicLoginForm(OTPAdminAuthenticationForm):
    """Password and a code from the authenticator app, on one form, with one answer for every failure.

    Whether the password was right is never revealed: a wrong password, a wrong, replayed or
    throttled code, or a login with no authenticator all get the same message, and each counts
    towards the lockout (django-axes counts failed logins, so a right password with a wrong code
    is reported to it as one). Staff have one TOTP device each, so it is used without asking; a
    backup code (8 letters and digits, from clinic.staff.two_factor) goes in the same field.
    """

    failure_message = (
        "That did not work. Check your username, password and the 6-digit code from your authenticator "
        "app, then try again. A code works only once: if you have just used it, wait for the next one."
    )
    incomplete_message = "Enter your username, password and the 6-digit code from your authenticator app."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = "Code from your authenticator app"
        self.fields["otp_token"].help_text = "Lost your phone? Enter one of your backup codes instead."
        self.fields["otp_token"].widget.attrs.update({"autocomplete": "one-time-code", "required": True})

    def clean(self):
        if not (self.cleaned_data.get("username") and self.cleaned_data.get("otp_token")):
            # Checked before the password, so a missing code says nothing about it either.
            raise forms.ValidationError(self.incomplete_message, code="incomplete")
        try:
            return super().clean()
        except forms.ValidationError:
            if self.user_cache is not None:  # the password was right and the second factor was not
                credentials = {"username": self.cleaned_data["username"]}
                user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
                self.user_cache = None
            raise forms.ValidationError(self.failure_message, code="invalid_login") from None

    def clean_otp_token(self):
        # Backup codes are shown in lower case; spaces or a dash typed inside one do not matter.
        return "".join(self.cleaned_data["otp_token"].split()).replace("-", "").lower()

    def _chosen_device(self, user):
        token = self.cleaned_data.get("otp_token") or ""
        model = TOTPDevice if token.isdigit() else StaticDevice
        devices = list(model.objects.devices_for_user(user, confirmed=True)[:2])
        return devices[0] if len(devices) == 1 else None
