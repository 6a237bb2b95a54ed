"""The series as a library: the Resources pages (every link shared across
the dialogues, once per address, with who shared it, where and how often),
past dialogues with their summary's first paragraph, and the download."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogues import library
from tests.factories import make_category, make_dialogue, make_reply, make_topic, make_user

from .conftest import START

GUIDE = "https://guides.example.org/safety"
TOOLS = "https://tools.example.org/"
RADIO = "https://radio.example.org/"


@pytest.fixture
def second(category, facilitator):
    """A second dialogue of the series, open at the same time as `dialogue`."""
    topic = make_topic(category=category, author=facilitator, title="Second talk")
    return make_dialogue(topic, opens_at=START, closes_at=START + timedelta(days=5))


@pytest.fixture
def other_series(facilitator_elsewhere):
    series = make_category("Other series", slug="other-series", is_series=True)
    topic = make_topic(category=series, author=facilitator_elsewhere, title="Elsewhere talk")
    make_dialogue(topic, opens_at=START, closes_at=START + timedelta(days=5))
    return series


@pytest.fixture
def shared(dialogue, second, other_series, participant, other_participant):
    """GUIDE three times by two people in two dialogues, TOOLS once, RADIO
    in the other series only, and a link in a topic that is no dialogue."""
    make_reply(dialogue.topic, author=participant, body=f"Read [the safety guide]({GUIDE}).")
    make_reply(dialogue.topic, author=other_participant, body=f"Seconding {GUIDE} and {TOOLS}")
    make_reply(second.topic, author=participant, body=f"Again: [guide]({GUIDE})")
    make_reply(other_series.topics.get(), author=participant, body=f"Listen: {RADIO}")
    plain = make_topic(category=dialogue.topic.category, title="Not a dialogue")
    make_reply(plain, author=participant, body="https://plain.example.org/")


def series_url(category, **query):
    url = reverse("dialogues:series_resources", args=[category.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed(response):
    return [link.url for link in response.context["links"]]


def test_each_address_is_listed_once_with_who_shared_it_where_and_how_often(
    client, shared, category, dialogue
):
    response = client.get(series_url(category))

    assert response.status_code == 200
    assert listed(response) == [GUIDE, TOOLS]
    guide, tools = response.context["links"]
    assert (guide.times, guide.people, guide.text) == (3, 2, "the safety guide")
    assert guide.first.post.author.public_name == "Pat Participant"
    assert [t.title for t in guide.topics] == ["What have you learned?", "Second talk"]
    assert (tools.times, tools.people) == (1, 1)
    page = response.text
    assert page.count(f'href="{GUIDE}"') == 1
    assert "Shared 3 times" in page and "by 2 people" in page
    assert "First shared by <bdi>Pat Participant</bdi>" in page
    assert "Shared once." in page
    assert "plain.example.org" not in page and RADIO not in page


def test_a_bare_address_takes_the_first_words_anyone_gave_it(client, dialogue, participant):
    make_reply(dialogue.topic, author=participant, body=f"See {TOOLS}")
    make_reply(dialogue.topic, author=participant, body=f"The [tool kit]({TOOLS}) again")

    (tools,) = client.get(series_url(dialogue.topic.category)).context["links"]

    assert (tools.text, tools.times, tools.people) == ("tool kit", 2, 1)
    assert tools.first.post.body == f"See {TOOLS}"


def test_the_site_wide_page_lists_every_series(client, shared):
    response = client.get(reverse("dialogues:resources"))

    assert set(listed(response)) == {GUIDE, TOOLS, RADIO}
    assert "plain.example.org" not in response.text


def test_search_and_the_choice_of_dialogue_narrow_the_list(client, shared, category, second):
    assert listed(client.get(series_url(category, q="TOOLS"))) == [TOOLS]
    assert listed(client.get(series_url(category, q="safety guide"))) == [GUIDE]
    narrowed = client.get(series_url(category, dialogue=second.topic_id))
    assert listed(narrowed) == [GUIDE]
    assert narrowed.context["links"][0].times == 1
    empty = client.get(series_url(category, q="nothing-like-this"))
    assert listed(empty) == [] and "No shared link matches" in empty.text
    assert 'value="nothing-like-this"' in empty.text


def test_bad_input_gets_a_message_and_keeps_what_was_typed(client, shared, category, other_series):
    elsewhere = other_series.topics.get()
    wrong = client.get(series_url(category, q="guide", dialogue=elsewhere.pk))
    assert wrong.status_code == 400
    assert "Select a valid choice" in wrong.text and 'value="guide"' in wrong.text
    assert client.get(series_url(category, q="a%00b")).status_code == 400
    assert client.get(series_url(category, q="x" * 201)).status_code == 400
    assert client.get(series_url(category, dialogue="abc")).status_code == 400


def test_a_hidden_post_shares_nothing_and_its_author_is_not_named(
    client, dialogue, participant, moderator
):
    secret = make_reply(
        dialogue.topic, author=make_user("hid", display_name="Hidden Person"), body=f"{GUIDE}"
    )
    make_reply(dialogue.topic, author=participant, body=f"Also {GUIDE}")
    secret.hide(by=moderator, reason="Personal data")

    response = client.get(series_url(dialogue.topic.category))

    (guide,) = response.context["links"]
    assert (guide.times, guide.people) == (1, 1)
    assert guide.first.post.author == participant
    assert "Hidden Person" not in response.text


def test_a_deleted_account_is_not_named(client, dialogue, participant):
    make_reply(dialogue.topic, author=participant, body=f"See {GUIDE}")
    participant.delete_account("keep")

    page = client.get(series_url(dialogue.topic.category)).text

    assert "Pat Participant" not in page
    assert "First shared by <bdi>Former participant</bdi>" in page


def test_pages_keep_the_search(client, shared, category, monkeypatch):
    monkeypatch.setattr(library, "RESOURCES_PER_PAGE", 1)

    first = client.get(series_url(category, q="example"))
    second = client.get(series_url(category, q="example", page=2))

    assert listed(first) == [GUIDE] and listed(second) == [TOOLS]
    assert 'href="?q=example&amp;page=2"' in first.text


def test_a_category_that_is_no_series_has_no_resources_page(client, other_category):
    url = reverse("dialogues:series_resources", args=[other_category.slug])
    assert client.get(url).status_code == 404
    assert client.get(series_url(make_category("Gone", slug="gone"))).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_resources_page_costs_the_same_for_few_or_many_links(
    client, dialogue, second, participant, other_participant
):
    url = series_url(dialogue.topic.category, q="example")
    make_reply(dialogue.topic, author=participant, body="https://one.example.org/")
    few = count_queries(client, url)
    for n in range(20):
        author = participant if n % 2 else other_participant
        topic = second.topic if n % 3 else dialogue.topic
        make_reply(topic, author=author, body=f"https://many{n}.example.org/ {GUIDE}")

    many = count_queries(client, url)

    assert many == few
    assert len(client.get(url).context["links"]) == 1 + 20 + 1


def test_past_dialogues_show_their_summary_s_first_paragraph(
    client, dialogue, category, facilitator, clock
):
    dialogue.write_summary(
        body="We agreed on **tested backups**.\n\nSecond paragraph stays on the dialogue.",
        by=facilitator,
    )
    dialogue.publish_summary(by=facilitator)
    clock.set(dialogue.topic.closes_at + timedelta(days=1))

    page = client.get(category.get_absolute_url()).text
    past = page.split("Past dialogues</h2>")[1]

    assert (
        '<p class="summary-lead" dir="auto">We agreed on <strong>tested backups</strong>.</p>'
        in (past)
    )
    assert "Second paragraph" not in page
    assert reverse("dialogues:download", args=[dialogue.topic_id]) in past
    assert reverse("dialogues:series_resources", args=[category.slug]) in page


def test_first_paragraph_of_html():
    assert library.first_paragraph("<h2>Title</h2>\n<p>One <em>a</em></p><p>Two</p>") == (
        "One <em>a</em>"
    )
    assert library.first_paragraph("") == ""
    assert library.first_paragraph("<ul><li>only a list</li></ul>") == ""


# The download ------------------------------------------------------------


def download(client, topic):
    response = client.get(reverse("dialogues:download", args=[topic.pk]))
    assert response.streaming
    return response, b"".join(response.streaming_content).decode()


@pytest.fixture
def thread(dialogue, participant, other_participant, moderator, facilitator):
    """A dialogue with a summary, a hidden reply with an answer under it."""
    topic = dialogue.topic
    first = make_reply(topic, author=participant, subject="First reply", body="**Plain** words")
    hidden = make_reply(
        topic, author=other_participant, subject="Hidden subject", body="Hidden body"
    )
    under = make_reply(topic, parent=hidden, author=participant, subject="Answer to hidden")
    deeper = make_reply(topic, parent=first, author=other_participant, subject="Under first")
    last = make_reply(topic, author=participant, subject="Last reply", body="[home](/p/1/)")
    hidden.hide(by=moderator, reason="Personal data")
    dialogue.write_summary(
        body=f"The **summary** text, citing [one]({first.get_absolute_url()}) "
        f"and [another](http://localhost:8000{hidden.get_absolute_url()}).",
        by=facilitator,
    )
    dialogue.publish_summary(by=facilitator)
    return [first, deeper, under, last], hidden


def test_the_download_is_one_file_of_every_visible_post_in_tree_order(client, dialogue, thread):
    visible, hidden = thread

    response, html = download(client, dialogue.topic)

    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert (
        response["Content-Security-Policy"]
        == "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'"
    )
    assert '<meta http-equiv="Content-Security-Policy"' in html
    subjects = re.findall(r'<h3 id="post-\d+-subject" dir="auto">([^<]+)</h3>', html)
    assert subjects == ["First reply", "Under first", "Answer to hidden", "Last reply"]
    assert "What have you learned?" in html and "Opening post." in html
    assert "The <strong>summary</strong> text" in html
    # The cited post the file holds is linked within it; the hidden one is not in it.
    first = visible[0]
    assert f'<a href="#post-{first.pk}" rel="nofollow ugc noopener">one</a>' in html
    assert f'href="http://localhost:8000/p/{hidden.pk}/"' in html
    assert html.count("Featured in the summary") == 1
    assert "<strong>Plain</strong> words" in html and "**" not in html
    assert "Hidden subject" not in html and "Hidden body" not in html
    assert "In reply to a removed post" in html
    assert "Olu Other" in html  # `deeper`'s author: only the hidden post is left out


def test_the_download_s_headings_are_in_order(client, dialogue, thread):
    from tests.test_headings import outline

    levels = outline(download(client, dialogue.topic)[1])

    assert levels[:4] == [1, 2, 2, 2] and set(levels[4:]) == {3}


def test_the_download_needs_nothing_from_elsewhere(client, dialogue, thread):
    _response, html = download(client, dialogue.topic)

    assert "<script" not in html and "<link" not in html and "<img" not in html.lower()
    assert "<style>" in html and "@media print" in html
    # This site's links get its address: a file has no site to be relative to.
    assert 'href="http://localhost:8000/p/1/"' in html
    assert not re.search(r'(src|href)="/', html)


def test_only_dialogues_can_be_downloaded(client, category):
    topic = make_topic(category=category, title="Plain topic")
    assert client.get(reverse("dialogues:download", args=[topic.pk])).status_code == 404
    assert client.get(reverse("dialogues:download", args=[topic.pk + 99])).status_code == 404


def test_the_download_costs_the_same_for_a_long_thread(client, dialogue, participant):
    make_reply(dialogue.topic, author=participant)
    url = reverse("dialogues:download", args=[dialogue.topic_id])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(url).streaming_content)
        return len(captured)

    few = queries()
    for n in range(30):
        make_reply(dialogue.topic, author=make_user(), subject=f"Reply {n}")
    assert queries() == few
