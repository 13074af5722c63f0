"""Staff sign-in's second factor: one authenticator app (TOTP) each, ten single-use backup codes (static tokens).

A staff member enrols their own app from a QR code (clinic.admin.accounts) and gets fresh backup
codes, shown once; a backup code signs them in when the phone is lost, so they can enrol a new
one. A Clinic manager can reset someone's second factor: the old app and codes stop working and
ten new backup codes are shown to the manager once, to hand over in person.
"""

import io
from base64 import b32encode

import qrcode
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10
PENDING_NAME = "New authenticator (not confirmed)"


@transaction.atomic
def new_authenticator(user):
    """Replace the user's authenticator with a fresh secret; return the device (its old codes stop working)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def pending_authenticator(user):
    """The unconfirmed authenticator the user is enrolling (made on first ask); it signs nobody in until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=PENDING_NAME, confirmed=False)


def confirm_authenticator(user, device, code):
    """If `code` is the pending device's current code: make it the user's only authenticator and return
    fresh backup codes; else None. The code is spent (a replay is refused)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(code.strip()):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.name = "Authenticator app"
        device.save(update_fields=["confirmed", "name"])
        return new_backup_codes(user)


@transaction.atomic
def new_backup_codes(user):
    """Ten fresh single-use backup codes for the user; the old ones stop working. Shown once, never again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def reset(user):
    """A manager's reset: the user's authenticator and backup codes stop working; return ten new backup codes."""
    TOTPDevice.objects.filter(user=user).delete()
    return new_backup_codes(user)


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def secret_of(device):
    return b32encode(device.bin_key).decode()


def qr_drawing(device):
    """(size, path) of the setup QR code as one SVG path: the page draws it without scripts or inline styles."""
    code = qrcode.QRCode(border=2)
    code.add_data(device.config_url)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = " ".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return len(matrix), path


def setup_instructions(device):
    """What to show the staff member, in person: a QR code for the terminal, the link and the secret."""
    code = qrcode.QRCode(border=1)
    code.add_data(device.config_url)
    drawing = io.StringIO()
    code.print_ascii(out=drawing, invert=True)
    return (
        f"{drawing.getvalue()}\n"
        f"Scan this with an authenticator app, or add it by hand:\n"
        f"  setup link: {device.config_url}\n"
        f"  secret key: {secret_of(device)}\n"
        "Show it only to the staff member, in person: anyone with it can make their codes."
    )
