"""Create a staff login with a role and set up their authenticator app; or give an existing one a new app."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from clinic.staff import roles, two_factor


class Command(BaseCommand):
    help = "Create a staff member in a role, print a one-time password and their authenticator setup."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=list(roles.ROLE_PERMISSIONS), help="Required for a new login.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--new-authenticator",
            action="store_true",
            help="For an existing login: replace their authenticator app (a lost phone). The old one stops working.",
        )

    def handle(self, *, username, role, email, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None and not options["new_authenticator"]:
            raise CommandError(f"{username} exists already. Use --new-authenticator to replace their app.")
        if user is None:
            if not role:
                raise CommandError("Give the new login a --role.")
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username, email=email, password=password, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
            self.stdout.write(f"Created {username} ({role}). One-time password: {password}")
            self.stdout.write("Ask them to change it at once (the admin's 'Change password' link).")
        self.stdout.write(two_factor.setup_instructions(two_factor.new_authenticator(user)))
