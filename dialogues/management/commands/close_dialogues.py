from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from dialogues.notifications import close_due_dialogues


class Command(BaseCommand):
    help = "Lock and log dialogues past their closing time (run every few minutes)."

    def handle(self, *args, **options):
        closed = close_due_dialogues()
        self.stdout.write(
            ngettext("%(n)d dialogue closed.", "%(n)d dialogues closed.", closed) % {"n": closed}
        )
