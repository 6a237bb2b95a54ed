"""Who may open topics: each category says whether its facilitators or any
verified member start them; moderators start them anywhere, facilitators in
the categories they facilitate, suspended people nowhere."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from forum.models import Category, FacilitatorAssignment, Topic
from forum.permissions import must_use_mfa
from tests.factories import make_category, make_facilitator, make_user, verified, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_category(db):
    return make_category(
        "Help and feedback", slug="help", topic_starters=Category.TopicStarters.MEMBERS
    )


def start(client, category, title="A question"):
    # Each body its own: the same text twice is refused as a repeat (forum/limits.py).
    return client.post(
        reverse("forum:topic_create", args=[category.slug]),
        {"title": title, "body": f"{title}: how do I follow a topic?"},
    )


def category_page(client, category):
    response = client.get(category.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


START_LINK = "Start a topic</a>"


def test_a_new_category_is_opened_by_its_facilitators():
    assert Category().topic_starters == Category.TopicStarters.FACILITATORS


def test_a_verified_member_starts_a_topic_where_the_category_lets_members(
    client, participant, help_category
):
    client.force_login(verified(participant))
    assert START_LINK in category_page(client, help_category)
    response = start(client, help_category)
    topic = Topic.objects.get(title="A question")
    assert response["Location"] == topic.get_absolute_url()
    assert (topic.author, topic.category) == (participant, help_category)


def test_in_a_facilitators_only_category_a_member_is_told_who_starts_topics(
    client, participant, category
):
    client.force_login(verified(participant))
    page = category_page(client, category)
    assert START_LINK not in page
    assert "Topics in Practitioner dialogues are started by its facilitators." in page
    response = start(client, category)
    assert response.status_code == 403
    assert "started by its facilitators" in response.content.decode()
    assert not Topic.objects.exists()


def test_an_unverified_address_does_not_start_topics_as_a_member(
    client, participant, help_category
):
    client.force_login(participant)
    assert "Verify your email address to start a topic here." in category_page(
        client, help_category
    )
    assert start(client, help_category).status_code == 403
    assert not Topic.objects.exists()


def test_a_facilitator_starts_topics_in_their_category_and_elsewhere_only_where_members_may(
    client, category, other_category, help_category
):
    facilitator = verified(make_facilitator("seriesfac", category=category))
    client.force_login(facilitator)
    assert start(client, category, "In my series").status_code == 302
    assert start(client, other_category, "In another").status_code == 403
    assert start(client, help_category, "As a member").status_code == 302
    assert set(Topic.objects.values_list("title", flat=True)) == {"In my series", "As a member"}


def test_a_facilitator_of_one_topic_does_not_start_topics_in_its_category(client, topic):
    person = with_mfa(verified(make_user("topicfac")))
    FacilitatorAssignment.objects.create(user=person, topic=topic)
    client.force_login(person)
    assert start(client, topic.category).status_code == 403


def test_moderators_start_topics_anywhere(client, moderator, category, other_category):
    client.force_login(moderator)
    assert start(client, category, "One").status_code == 302
    assert start(client, other_category, "Two").status_code == 302
    assert Topic.objects.filter(author=moderator).count() == 2


def test_suspended_people_start_topics_nowhere(client, moderator, help_category, category):
    member = verified(make_user("member"))
    until = timezone.now() + timedelta(days=3)
    for person in (member, moderator):
        person.suspend(until, "Cooling off", by=moderator)
        client.force_login(person)
        assert "Cooling off" in category_page(client, help_category)
        for where in (help_category, category):
            response = start(client, where)
            assert response.status_code == 403
            assert "Your account is suspended until" in response.content.decode()
    assert not Topic.objects.exists()


def test_visitors_are_asked_to_log_in(client, help_category, category):
    assert "Log in to start a topic." in category_page(client, help_category)
    assert "started by its facilitators" in category_page(client, category)
    response = start(client, help_category)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_facilitator_without_a_second_factor_is_sent_to_set_it_up(client, category, settings):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    client.force_login(make_facilitator("nomfa", category=category, mfa=False))
    assert "Set up two-factor authentication" in category_page(client, category)
    response = start(client, category)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    assert not Topic.objects.exists()


def test_forum_add_topic_and_the_old_facilitators_group_give_nothing(client, category, settings):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    add_topic = Permission.objects.get(codename="add_topic", content_type__app_label="forum")
    old_group = Group.objects.create(name="Facilitators")
    old_group.permissions.add(add_topic)
    person = verified(make_user("oldfac"))
    person.groups.add(old_group)
    person.user_permissions.add(add_topic)
    client.force_login(person)
    assert start(client, category).status_code == 403
    assert not must_use_mfa(type(person).objects.get(pk=person.pk))

    out = StringIO()
    call_command("setup_roles", stdout=out)
    assert not Group.objects.filter(name="Facilitators").exists()
    assert 'Removed the "Facilitators" group' in out.getvalue()
    moderators = Group.objects.get(name="Moderators")
    assert not moderators.permissions.filter(codename="add_topic").exists()


def test_setup_roles_keeps_a_repurposed_facilitators_group_but_takes_add_topic_back(db):
    add_topic = Permission.objects.get(codename="add_topic", content_type__app_label="forum")
    kept = Permission.objects.get(codename="view_topic", content_type__app_label="forum")
    group = Group.objects.create(name="Facilitators")
    group.permissions.add(add_topic, kept)
    call_command("setup_roles", stdout=StringIO())
    assert list(Group.objects.get(name="Facilitators").permissions.all()) == [kept]


def test_in_the_demo_a_participant_asks_in_help_and_not_in_the_series(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    client.force_login(get_user_model().objects.get(username="participant"))
    series, help_category = Category.objects.get(is_series=True), Category.objects.get(slug="help")
    assert START_LINK in category_page(client, help_category)
    assert START_LINK not in category_page(client, series)
    assert start(client, series, "In the series").status_code == 403
    assert start(client, help_category, "How do digests work?").status_code == 302
    assert Topic.objects.filter(title="How do digests work?", category=help_category).exists()
