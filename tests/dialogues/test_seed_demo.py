from django.core import mail
from django.core.management import call_command

from dialogues.models import Dialogue, OutgoingEmail, Resource


def test_demo_has_an_open_dialogue_with_two_leaders_and_a_finished_one_with_a_summary(
    db, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    open_now = [d for d in Dialogue.objects.all() if d.is_open]
    closed = [d for d in Dialogue.objects.all() if d.is_closed]
    assert len(open_now) == 1 and open_now[0].leaders.count() == 2
    assert open_now[0].day_number() == 4 and open_now[0].day_count == 5
    assert len(closed) == 1 and closed[0].has_summary and closed[0].topic.is_locked
    assert len(closed[0].cited_post_ids) == 2
    assert Resource.objects.filter(topic=open_now[0].topic).exists()
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()
    page = client.get(closed[0].topic.get_absolute_url()).content.decode()
    assert "Featured in the summary" in page
    help_page = client.get("/dialogues/help/how-to-participate/")
    assert "Conversation leaders" in help_page.content.decode()
