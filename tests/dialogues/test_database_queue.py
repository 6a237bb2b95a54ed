"""With TASKS_BACKEND=database (django-tasks-db), posting queues the
notification work for db_worker instead of doing it in the request."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from dialogues.models import OutgoingEmail, Subscription
from tests.factories import make_category, make_facilitator, make_topic, make_user

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_a_reply_is_saved_at_once_and_its_emails_are_sent_by_the_worker(settings):
    topic = make_topic(category=make_category(), author=make_facilitator())
    author, follower = make_user(), make_user()
    Subscription.set(follower, topic, True)
    settings.TASKS = DATABASE_TASKS
    client = Client()
    client.force_login(author)
    mail.outbox.clear()

    response = client.post(
        reverse("forum:reply", args=[topic.opening_post_id]), {"subject": "S", "body": "Queued"}
    )

    assert response.status_code == 302
    assert topic.posts.filter(body="Queued").exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "dialogues.tasks.notify_new_post"
    assert queued.args_kwargs["args"] == [topic.posts.get(body="Queued").pk]
    assert mail.outbox == []

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([follower.email, topic.author.email])
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.SENT}
