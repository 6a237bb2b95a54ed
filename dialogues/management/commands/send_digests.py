from django.core.management.base import BaseCommand

from dialogues.notifications import send_digests


class Command(BaseCommand):
    help = "Send daily digests to people whose chosen hour it is now (run hourly)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) queued.")
