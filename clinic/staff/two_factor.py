"""Setting up a staff member's authenticator app (TOTP): one device each, replaced when a phone is lost."""

import io
from base64 import b32encode

import qrcode
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


@transaction.atomic
def new_authenticator(user):
    """Replace the user's authenticator with a fresh secret; return the device (its old codes stop working)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def setup_instructions(device):
    """What to show the staff member, in person: a QR code for the terminal, the link and the secret."""
    code = qrcode.QRCode(border=1)
    code.add_data(device.config_url)
    drawing = io.StringIO()
    code.print_ascii(out=drawing, invert=True)
    secret = b32encode(device.bin_key).decode()
    return (
        f"{drawing.getvalue()}\n"
        f"Scan this with an authenticator app, or add it by hand:\n"
        f"  setup link: {device.config_url}\n"
        f"  secret key: {secret}\n"
        "Show it only to the staff member, in person: anyone with it can make their codes."
    )
