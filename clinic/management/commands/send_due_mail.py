"""Send the email that is due, once, without a Celery worker: for sites that prefer cron."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.mail import sending
from clinic.mail.connection import MailConnection
from clinic.models import Outbox


class Command(BaseCommand):
    help = "Send due email now (for example every minute from cron). Safe to run alongside workers and itself."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="Send at most this many emails this run.")
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Claim this many at a time; runs side by side share the work."
        )

    def handle(self, *, limit, batch_size, **options):
        sending.reclaim_stuck(now=timezone.now())
        outcomes = {status: 0 for status in Outbox.Status.values}
        handled = 0
        # Bounded by --limit; a batch that comes back empty means nothing is due. One mail-server
        # connection for the run (reopened after a failure); a few queries per batch, each row's
        # outcome its own.
        with MailConnection() as mail:
            while handled < limit:
                ids = sending.claim_due(now=timezone.now(), limit=min(batch_size, limit - handled))
                if not ids:
                    break
                for status in sending.send_batch(ids, now=timezone.now(), connection=mail).values():
                    outcomes[status] += 1
                handled += len(ids)
        self.stdout.write(
            f"Sent {outcomes['sent']}, to retry {outcomes['pending']}, failed {outcomes['failed']}, "
            f"cancelled {outcomes['cancelled']}."
        )
