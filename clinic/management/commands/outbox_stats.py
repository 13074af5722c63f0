"""Print the email queue's state: how many emails in each status, and how late the oldest due one is."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.mail import housekeeping


class Command(BaseCommand):
    help = "Show the email outbox: counts by status, emails due now, the oldest due."

    def handle(self, **options):
        now = timezone.now()
        stats = housekeeping.queue_stats(now=now)
        for status, count in stats["by_status"].items():
            self.stdout.write(f"{status:<10} {count}")
        self.stdout.write(f"due now    {stats['due']}")
        if stats["oldest_due"] is not None:
            waiting = int((now - stats["oldest_due"]).total_seconds())
            self.stdout.write(f"oldest due {waiting} s ago")
