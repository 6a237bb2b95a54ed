import io

import pytest
from django.core.management import call_command

from forum.models import Topic

from .helpers import hit_urls

pytestmark = pytest.mark.django_db


def test_the_demo_summary_and_posts_are_searchable(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    finished = Topic.objects.get(dialogue__summary_published_at__isnull=False)
    assert f"{finished.get_absolute_url()}#summary" in hit_urls(client, "embargoes interview")
    assert f"{finished.get_absolute_url()}#summary" in hit_urls(
        client, "journalists", only_summaries="on"
    )
    assert len(hit_urls(client, "documentation")) >= 3
