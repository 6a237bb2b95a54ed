from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from dialogues.notifications import send_digests
from forum.task_backends import wait_for_tasks


class Command(BaseCommand):
    help = "Send daily digests to people whose chosen hour it is now (run hourly)."

    def handle(self, *args, **options):
        sent = send_digests()
        # Run from cron: with the default thread-pool backend, finish the
        # sending before the process exits.
        wait_for_tasks()
        self.stdout.write(
            ngettext("%(n)d digest queued.", "%(n)d digests queued.", sent) % {"n": sent}
        )
