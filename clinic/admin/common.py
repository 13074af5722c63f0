"""What every staff screen shares: the permission check of extra pages, and the answer to a bulk action."""

from django.core.exceptions import PermissionDenied


def require(request, *perms):
    """Refuse (403) a staff page to anyone without all these permissions."""
    if not request.user.has_perms(perms):
        raise PermissionDenied


def outcome(done, *, skipped, why):
    """What a bulk action tells staff: what it did, then how many rows it left alone and why."""
    return done + (f" {skipped} {why}, left alone." if skipped else "")
