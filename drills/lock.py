"""Drill: a facilitator locks a topic while people post long replies to it
through gunicorn on PostgreSQL; 0 replies commit after the lock.

The lock is a model call (Topic.lock, what the lock button calls) made by
this process, not by gunicorn. Its transaction's last statement lists the
topic's posts: a reply missing from that list and stored afterwards
committed after the lock.

    .venv/bin/python -m drills.lock"""

import tempfile
import threading
import time
from pathlib import Path

from drills.common import (
    DATABASE_URL,
    Gunicorn,
    fresh_database,
    logged_in,
    make_people,
    make_topic,
    posted_id,
    reply_path,
    run,
    seconds,
    server_env,
    setup_django,
)

POSTERS = 10
MAX_REPLIES_EACH = 30
LOCK_AFTER = 30  # replies acknowledged before the lock
# Long enough to take a while to render (yet within FORUM_MAX_BODY_LENGTH):
# many replies are between their permission check and their commit when the
# lock lands.
PARAGRAPHS = 120
LONG_BODY = "\n\n".join(
    f"Paragraph {n} with *emphasis*, `code` and https://example.org/{n} links."
    for n in range(PARAGRAPHS)
)
REASON = "Thank you all: the dialogue is over."


def drill(checks):
    env = server_env()
    setup_django(env)
    fresh_database(DATABASE_URL)
    from django.db import transaction

    from dialogues.notifications import muted
    from forum.models import Post, Topic

    with muted():
        topic = make_topic("Locked while posting")
    people = make_people(POSTERS)
    log = Path(tempfile.mkdtemp(prefix="drill-lock-")) / "gunicorn.log"
    checks.figure("server log", log)
    lock = threading.Lock()
    acknowledged, refused, refused_forms, other = [], [], [], []
    enough = threading.Event()

    with Gunicorn(env, log) as server:
        browsers = logged_in(server.url, people)
        path = reply_path(topic.opening_post_id)

        def post_until_refused(i):
            browser = browsers[i]
            for n in range(MAX_REPLIES_EACH):
                marker = f"poster {i} reply {n}"
                response = browser.submit(
                    path, {"subject": marker, "body": f"{marker}\n\n{LONG_BODY}"}
                )
                with lock:
                    if response is None:  # the reply page itself says locked
                        refused_forms.append(i)
                        return
                    if posted_id(response):
                        acknowledged.append((posted_id(response), time.monotonic()))
                        if len(acknowledged) >= LOCK_AFTER:
                            enough.set()
                    elif response.status == 403 and marker in response.text:
                        refused.append(response)
                        return
                    else:
                        other.append(response.status)
                        return

        threads = [threading.Thread(target=post_until_refused, args=(i,)) for i in range(POSTERS)]
        for thread in threads:
            thread.start()
        if not enough.wait(timeout=150):
            checks.check("replies were posted before the lock", False, f"{len(acknowledged)}")
        with transaction.atomic():
            Topic.objects.get(pk=topic.pk).lock(by=topic.author, reason=REASON)
            before_commit = set(Post.objects.filter(topic=topic).values_list("pk", flat=True))
        locked = time.monotonic()
        in_flight = sum(thread.is_alive() for thread in threads)
        for thread in threads:
            thread.join(timeout=120)

    topic = Topic.objects.get(pk=topic.pk)
    stored = set(Post.objects.filter(topic=topic).values_list("pk", flat=True))
    after_lock = stored - before_commit
    late_acks = [pk for pk, at in acknowledged if at > locked]
    checks.figure("replies acknowledged", len(acknowledged))
    checks.figure("posters still posting when the lock committed", in_flight)
    checks.figure("replies acknowledged after the lock returned", len(late_acks))
    checks.figure("replies refused with their text", len(refused))
    checks.figure("reply pages refused before anything was typed", len(refused_forms))
    checks.figure("refusal response times", seconds(r.seconds for r in refused))
    checks.check("replies committed after the lock: 0", not after_lock, f"{len(after_lock)}")
    checks.check(
        "no reply is dated after the lock",
        not Post.objects.filter(topic=topic, created_at__gte=topic.locked_at).exists(),
    )
    checks.check("no unexpected status", not other, f"{other}")
    checks.check("every poster was refused", len(refused) + len(refused_forms) == POSTERS)
    checks.check("some replies were refused after being typed", bool(refused))
    checks.check(
        "every refusal gave the typed text back",
        all(
            "This topic is locked" in r.text and f"Paragraph {PARAGRAPHS - 1}" in r.text
            for r in refused
        ),
    )
    checks.check(
        "every acknowledged reply is stored, and only those",
        stored - {topic.opening_post_id} == {pk for pk, _ in acknowledged},
    )
    checks.check("post_count is exact", topic.post_count == len(stored))


if __name__ == "__main__":
    run("lock", drill)
