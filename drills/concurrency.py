"""Drill: 20 sessions × 10 concurrent replies against gunicorn on
PostgreSQL; afterwards every counter (post_count, child_count, last_post)
equals a recount from the posts themselves.

    .venv/bin/python -m drills.concurrency"""

import tempfile
import threading
import time
from pathlib import Path

from drills.common import (
    DATABASE_URL,
    Gunicorn,
    fresh_database,
    in_parallel,
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

SESSIONS = 20
REPLIES_PER_SESSION = 10


def drill(checks):
    env = server_env()
    setup_django(env)
    fresh_database(DATABASE_URL)
    from dialogues.notifications import muted
    from forum.models import Post, Topic

    with muted():
        topic = make_topic("Everyone at once")
        # A few replies to answer too, so the replies spread over parents.
        seeds = [
            topic.add_reply(
                author=topic.author, parent=topic.opening_post, subject="S", body="Seed"
            )
            for _ in range(4)
        ]
    parents = [topic.opening_post_id] + [seed.pk for seed in seeds]
    people = make_people(SESSIONS)
    log = Path(tempfile.mkdtemp(prefix="drill-concurrency-")) / "gunicorn.log"
    checks.figure("server log", log)

    with Gunicorn(env, log) as server:
        started = time.monotonic()
        browsers = logged_in(server.url, people)
        checks.figure(
            "logins through the login form",
            f"{len(browsers)} in {time.monotonic() - started:.1f} s",
        )
        # Every form first (each with its own tokens), then all the posts at once.
        plan = [
            (browser, parents[(s + n) % len(parents)], f"s{s} r{n}")
            for s, browser in enumerate(browsers)
            for n in range(REPLIES_PER_SESSION)
        ]
        forms = in_parallel(lambda job: job[0].form(reply_path(job[1])), plan)
        jobs = [(*job[:2], form, job[2]) for job, form in zip(plan, forms, strict=True)]
        start = threading.Barrier(len(jobs))
        responses = [None] * len(jobs)

        def post(i):
            browser, parent, fields, marker = jobs[i]
            start.wait(timeout=60)
            responses[i] = browser.request(
                reply_path(parent), fields | {"subject": marker, "body": f"Reply {marker}."}
            )

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(jobs))]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        for thread in threads:
            thread.join(timeout=180)
        checks.figure("all replies answered in", f"{time.monotonic() - started:.1f} s")

    answered = [r for r in responses if r is not None]
    ids = [posted_id(r) for r in answered]
    checks.figure("replies sent at once", len(jobs))
    checks.figure("response times", seconds(r.seconds for r in answered))
    checks.figure(
        "statuses",
        dict(
            sorted(
                {r.status: sum(x.status == r.status for x in answered) for r in answered}.items()
            )
        ),
    )
    checks.check("every reply was acknowledged", all(ids) and len(ids) == len(jobs))

    topic = Topic.objects.get(pk=topic.pk)
    posts = list(Post.objects.filter(topic=topic))
    visible = [p for p in posts if not p.is_hidden]
    latest = max(visible, key=lambda p: p.pk)
    checks.figure("posts stored", len(posts))
    checks.check(
        "every acknowledged reply is stored",
        {i for i in ids if i} <= {p.pk for p in posts},
    )
    checks.check(
        "post_count equals a recount",
        topic.post_count == len(visible),
        f"{topic.post_count} vs {len(visible)}",
    )
    checks.check(
        "last_post is the latest post",
        (topic.last_post_id, topic.last_post_at) == (latest.pk, latest.created_at),
        f"{topic.last_post_id} vs {latest.pk}",
    )
    wrong = [
        (p.pk, p.child_count, children)
        for p in posts
        if p.child_count
        != (
            children := sum(
                1 for c in posts if c.depth == p.depth + 1 and c.path.startswith(p.path)
            )
        )
    ]
    checks.check(
        "every child_count equals a recount", not wrong, f"{len(wrong)} wrong: {wrong[:5]}"
    )
    checks.check("tree paths are unique", len({p.path for p in posts}) == len(posts))


if __name__ == "__main__":
    run("concurrency", drill)
