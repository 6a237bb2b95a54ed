"""Reading: home, category and topic pages as visitors see them."""

from datetime import UTC

from django.test import override_settings

from tests.factories import make_category, make_reply, make_topic, make_user


def test_home_lists_categories_with_their_topics(client, topic):
    response = client.get("/")
    assert response.status_code == 200
    assert "Practitioner dialogues" in response.text
    assert "What have you learned?" in response.text


def test_sticky_topics_come_first_in_the_category(client, category):
    sticky = make_topic(category=category, title="Read me first")
    make_topic(category=category, title="A later topic")
    type(sticky).objects.filter(pk=sticky.pk).update(is_sticky=True)

    text = client.get(category.get_absolute_url()).text

    assert text.index("Read me first") < text.index("A later topic")


def test_topic_page_shows_opening_post_counts_and_last_post(client, topic):
    reply = make_reply(topic, subject="Trust takes time", author=make_user(display_name="Mona"))

    text = client.get(topic.get_absolute_url()).text

    assert "Opening post." in text
    assert "2 posts" in text
    assert "Last post" in text and "Trust takes time" in text and "by <bdi>Mona</bdi>" in text
    assert f'id="post-{reply.pk}"' in text
    assert f'datetime="{reply.created_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"' in text


def test_facilitator_role_line_is_shown_with_their_posts(client, topic, facilitator):
    facilitator.role_line = "Online Community Builder"
    facilitator.save()
    make_reply(topic, author=facilitator, subject="Welcome all")

    assert "Online Community Builder" in client.get(topic.get_absolute_url()).text


def test_anonymous_visitor_sees_log_in_to_reply_instead_of_a_form(client, topic):
    text = client.get(topic.get_absolute_url()).text
    assert "Log in to reply" in text
    assert "<textarea" not in text
    assert '/reply/"' not in text


def test_logged_in_participant_sees_reply_form_and_reply_links(participant_client, topic):
    make_reply(topic)
    text = participant_client.get(topic.get_absolute_url()).text
    assert "<textarea" in text
    assert ">Reply<" in text


def test_nested_reply_says_what_it_answers(client, topic):
    parent = make_reply(topic, subject="Exploring common ground")
    make_reply(topic, parent=parent, author=make_user(display_name="Kim"))

    text = client.get(topic.get_absolute_url()).text

    assert "In reply to" in text and "Exploring common ground" in text
    assert "indent-1" in text


def test_unknown_topic_is_404(client, db):
    assert client.get("/t/999999/nothing/").status_code == 404


def test_malformed_page_cursor_is_404(client, topic):
    assert client.get(topic.get_absolute_url() + "?after=abc").status_code == 404


def test_empty_category_says_so(client, db):
    category = make_category("Empty", slug="empty")
    assert "No topics yet." in client.get(category.get_absolute_url()).text


@override_settings(LANGUAGE_CODE="ar")
def test_pages_declare_language_and_direction(client, topic):
    text = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").text
    assert '<html lang="ar" dir="rtl">' in text
