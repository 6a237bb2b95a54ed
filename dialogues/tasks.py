"""Background work (django.tasks). Arguments are plain ids; callers enqueue
on transaction commit so a task never sees uncommitted rows. With the
default backend these run on a small pool of threads in the web process
after the commit (forum/task_backends.py); with TASKS_BACKEND=database they
run in `manage.py db_worker`; with TASKS_BACKEND=immediate, in the request."""

from django.tasks import task

from . import notifications
from .models import OutgoingEmail


@task
def deliver_emails(email_ids: list[int]) -> int:
    """Send the stored emails over one SMTP connection. Safe to run twice or
    on two workers at once: each email is claimed before its send."""
    return OutgoingEmail.objects.filter(pk__in=email_ids).deliver()


@task
def deliver_email(email_id: int) -> bool:
    """Send one email now, even if it waits for its next retry: the admin's
    "Retry delivery now" (and tasks queued before deliver_emails)."""
    return OutgoingEmail.objects.filter(pk=email_id).deliver(even_if_backing_off=True) == 1


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
