"""Reads from a real streaming replica (tests/ops/streaming.py): its author
sees a reply at once, another reader once the replica has replayed it; a
replica that is behind or down costs nothing but the primary's time; the
moderation pages read the primary. Replay is paused on the standby
(pg_wal_replay_pause) to hold a write back from it for as long as a test
needs, so nothing here depends on how fast replication is."""

import itertools
import time

import pytest

from drills.common import Browser, posted_id, reply_path, wait_until
from forum import db_router
from tests.ops import streaming

pytestmark = pytest.mark.replica
_markers = itertools.count(1)


def marker(what: str) -> str:
    return f"{what} {next(_markers)} {time.time_ns()}"


def post_reply(r, browser, text: str) -> int:
    response = browser.submit(reply_path(r.scene["opening_post"]), {"subject": text, "body": text})
    pk = posted_id(response)
    assert pk, response.status
    return pk


def on_standby(r, pk: int) -> bool:
    return bool(
        r.standby and streaming.sql(r.standby.port, "SELECT 1 FROM forum_post WHERE id = %s", pk)
    )


def router_warnings(log) -> list[str]:
    return [e["message"] for e in streaming.log_entries(log) if e["logger"] == "forum.db_router"]


@pytest.fixture
def paused(replication):
    replication.standby.pause()
    try:
        yield replication
    finally:
        replication.standby.resume()


def test_the_author_sees_a_reply_at_once_and_others_once_it_is_replayed(paused):
    r = paused
    author = r.on(r.patient, r.author)
    reader = r.on(r.patient, r.reader)
    text = marker("Said while the replica waits")
    pk = post_reply(r, author, text)

    assert text in author.request(r.scene["topic"]).text  # read-your-writes: the primary
    assert not on_standby(r, pk)
    assert text not in reader.request(r.scene["topic"]).text  # the replica, not yet replayed
    assert text not in Browser(r.patient.url).request(r.scene["topic"]).text  # nor anonymous

    r.standby.resume()
    wait_until(lambda: on_standby(r, pk), 20, "the standby to replay the reply")
    assert text in reader.request(r.scene["topic"]).text


def test_a_replica_too_far_behind_is_skipped_and_the_skip_logged(paused):
    r = paused
    text = marker("Said while the replica lags")
    pk = post_reply(r, r.on(r.patient, r.author), text)
    anonymous = Browser(r.strict.url)
    # The strict node allows 1 s of lag: within seconds it reads the primary.
    wait_until(lambda: text in anonymous.request(r.scene["topic"]).text, 20, "the fallback")
    assert not on_standby(r, pk)
    assert any("behind (limit 1.0 s)" in m for m in router_warnings(r.strict.log))


def test_moderation_reads_the_primary(paused):
    r = paused
    flag_text = marker("Flagged while the replica waits")
    flagged = r.on(r.patient, r.reader).submit(
        f"/p/{r.scene['opening_post']}/flag/", {"reason": "other", "text": flag_text}
    )
    assert flagged.status == 302
    reply_text = marker("Replied while the replica waits")
    post_reply(r, r.on(r.patient, r.reader), reply_text)

    facilitator = r.on(r.patient, r.facilitator)
    assert flag_text in facilitator.request("/moderation/").text  # the primary
    assert reply_text not in facilitator.request(r.scene["topic"]).text  # the replica


def test_a_replica_that_is_down_does_not_break_reading(replication):
    r = replication
    r.standby.stop()
    try:
        # Health is trusted for CHECK_EVERY seconds: a request in that
        # moment would still try the stopped replica.
        time.sleep(db_router.CHECK_EVERY + 0.5)
        text = marker("Said while the replica is down")
        post_reply(r, r.on(r.patient, r.author), text)
        for node in (r.patient, r.strict):
            anonymous = Browser(node.url)
            for _ in range(3):
                page = anonymous.request(r.scene["topic"])
                assert page.status == 200
                assert text in page.text
            assert any("does not answer" in m for m in router_warnings(node.log))
    finally:
        r.standby.start()
        streaming.wait_streaming(r.primary)
