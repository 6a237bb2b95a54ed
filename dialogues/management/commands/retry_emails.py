from django.core.management.base import BaseCommand

from dialogues.notifications import retry_due_emails


class Command(BaseCommand):
    help = "Retry emails whose delivery failed and is due again (run every few minutes)."

    def handle(self, *args, **options):
        retried = retry_due_emails()
        self.stdout.write(f"{retried} email(s) retried.")
