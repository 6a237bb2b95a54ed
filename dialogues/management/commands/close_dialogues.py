from django.core.management.base import BaseCommand

from dialogues.notifications import close_due_dialogues


class Command(BaseCommand):
    help = "Lock and log dialogues past their closing time (run every few minutes)."

    def handle(self, *args, **options):
        closed = close_due_dialogues()
        self.stdout.write(f"{closed} dialogue(s) closed.")
