"""Staff look after their own sign-in: enrol an authenticator app, get backup codes; managers reset others'."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django_otp import login as otp_login

from ..staff import two_factor

User = get_user_model()


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Your current password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your current password.")
        return self.cleaned_data["password"]


class EnrolForm(PasswordForm):
    code = forms.CharField(
        label="The 6-digit code your app shows now",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def two_factor_page(request):
    """The signed-in staff member's own second factor: what they have, a new authenticator, new backup codes."""
    user = request.user
    context = {**admin.site.each_context(request), "title": "Your sign-in: authenticator app and backup codes"}
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    if action in ("enrol", "confirm"):
        device = two_factor.pending_authenticator(user)
        form = EnrolForm(request.POST if action == "confirm" else None, user=user)
        if form.is_valid():
            codes = two_factor.confirm_authenticator(user, device, form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                otp_login(request, device)  # this session stays signed in with the new app
                messages.success(request, "Your new authenticator app is set up; the old one no longer works.")
                return _show_codes(request, context, codes)
            form.add_error("code", "That code did not match. Check the app's clock and enter the code it shows now.")
        size, drawing = two_factor.qr_drawing(device)
        context.update(form=form, qr_size=size, qr_path=drawing, secret=two_factor.secret_of(device), enrolling=True)
        return TemplateResponse(request, "admin/clinic/two_factor.html", context)
    if action == "backup_codes":
        form = PasswordForm(request.POST, user=user)
        if form.is_valid():
            return _show_codes(request, context, two_factor.new_backup_codes(user))
        context["codes_form"] = form
    context.update(
        has_authenticator=two_factor.has_authenticator(user),
        backup_codes_left=two_factor.backup_codes_left(user),
        codes_form=context.get("codes_form") or PasswordForm(user=user),
    )
    return TemplateResponse(request, "admin/clinic/two_factor.html", context)


def _show_codes(request, context, codes):
    response = TemplateResponse(request, "admin/clinic/two_factor.html", {**context, "codes": codes})
    response["Cache-Control"] = "no-store"  # shown once: not kept by the browser either
    return response


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Staff logins, with a Clinic manager's reset of someone's second factor (a lost phone and no backup code)."""

    actions = ["reset_two_factor"]

    def has_reset_two_factor_permission(self, request):
        return request.user.has_perms(["otp_totp.delete_totpdevice", "otp_static.delete_staticdevice"])

    @admin.action(
        description="Reset two-factor sign-in (new backup codes, shown once)", permissions=["reset_two_factor"]
    )
    def reset_two_factor(self, request, queryset):
        issued = []
        for member in queryset.order_by("username"):
            issued.append((member, two_factor.reset(member)))
            self.log_change(request, member, "Two-factor sign-in reset: authenticator and backup codes replaced")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Two-factor sign-in reset",
            "issued": issued,
        }
        response = TemplateResponse(request, "admin/clinic/two_factor_reset.html", context)
        response["Cache-Control"] = "no-store"
        return response
