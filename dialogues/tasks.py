"""Background work (django.tasks). Arguments are plain ids; callers enqueue
on transaction commit so a task never sees uncommitted rows. With the
default ImmediateBackend these run in-process right after the commit; with
TASKS_BACKEND=database they run in `manage.py db_worker`."""

from django.db import transaction
from django.tasks import task

from . import notifications
from .models import OutgoingEmail


@task
def deliver_email(email_id: int) -> bool:
    # The row lock keeps two workers from sending the same email twice.
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmail.PENDING)
            .first()
        )
        return email.deliver() if email else False


@task
def notify_new_post(post_id: int) -> int:
    return notifications.notify_new_post(post_id)


@task
def send_summary_emails(dialogue_id: int) -> int:
    return notifications.send_summary_emails(dialogue_id)


@task
def send_digests() -> int:
    return notifications.send_digests()


@task
def close_due_dialogues() -> int:
    return notifications.close_due_dialogues()


@task
def retry_emails() -> int:
    return notifications.retry_due_emails()
