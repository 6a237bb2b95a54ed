from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from dialogues.notifications import retry_due_emails
from forum.task_backends import wait_for_tasks


class Command(BaseCommand):
    help = "Retry emails whose delivery failed and is due again (run every few minutes)."

    def handle(self, *args, **options):
        retried = retry_due_emails()
        # Run from cron: with the default thread-pool backend, finish the
        # sending before the process exits.
        wait_for_tasks()
        self.stdout.write(
            ngettext("%(n)d email retried.", "%(n)d emails retried.", retried) % {"n": retried}
        )
