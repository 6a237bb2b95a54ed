"""Drill: two app nodes and two task workers on one PostgreSQL and one Redis.

Two gunicorn instances on different ports share the database and the cache
(REDIS_URL) and nothing else. A member logs in through one node and posts
through the other; the one-time form token, the duplicate-text check, the
flag limit and allauth's failed-login limit count the same on both; a
logout on one node ends the session on the other; /healthz on both fails
while nobody works the task queue. Then two `db_worker` processes
(TASKS_BACKEND=database) deliver 500 emails to a local SMTP server: each
Message-ID arrives exactly once, none is missing.

It empties the Redis database DRILL_REDIS_URL names (default db 14) first.

    .venv/bin/python -m drills.nodes"""

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from drills.common import (
    DATABASE_URL,
    PASSWORD,
    PORT,
    Browser,
    DrillFailed,
    Gunicorn,
    fresh_database,
    make_people,
    make_topic,
    posted_id,
    reply_path,
    run,
    seconds,
    server_env,
    setup_django,
    start,
    status_of,
    stop,
    wait_until,
)
from tests.smtp_server import ANSWER, SMTPServer

REDIS_URL = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/14")
SMTP_PORT = int(os.environ.get("DRILL_SMTP_PORT", str(PORT + 90)))
FOLLOWERS, REPLIES = 10, 50  # 500 emails
FLAGS_PER_DAY = 3
PUBLIC_HOST = "127.0.0.1"
THREADS, LOAD_SECONDS = 6, 5


def drill(checks):
    import redis

    env = server_env(
        REDIS_URL=REDIS_URL,
        TASKS_BACKEND="database",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        EMAIL_USE_TLS="0",
        FORUM_FLAGS_PER_DAY=str(FLAGS_PER_DAY),
        # Per UTC day: the drill never straddles a window it could reset in.
        FORUM_REPLIES_PER_DAY="0",
        FORUM_HEALTHZ_MAX_TASK_AGE_SECONDS="3",
    )
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    setup_django(env)
    fresh_database(DATABASE_URL)
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from dialogues.models import OutgoingEmail, Subscription
    from dialogues.notifications import muted
    from forum.models import Flag, Post

    with muted():
        topic = make_topic("Two nodes, one conversation")
    (poster, flagger, locked_out) = make_people(3, prefix="member")
    followers = make_people(FOLLOWERS, prefix="follower")
    for person in followers:
        Subscription.set(person, topic, True)
    with muted():
        # Replies answer the poster's own post: only the followers are told.
        seed = topic.add_reply(
            author=poster, parent=topic.opening_post, subject="Seed", body="Seed"
        )
    logs = Path(tempfile.mkdtemp(prefix="drill-nodes-"))
    checks.figure("server logs", logs)
    connections_seen = []
    sampling = threading.Event()

    def sample_connections():
        with connection.temporary_connection() as cursor:
            while not sampling.wait(0.2):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                )
                connections_seen.append(cursor.fetchone()[0] - 1)  # not the sampler's own

    sampler = threading.Thread(target=sample_connections, daemon=True)
    sampler.start()
    workers = []
    node_a = Gunicorn(env, logs / "node-a.log", workers=2, port=PORT)
    node_b = Gunicorn(env, logs / "node-b.log", workers=2, port=PORT + 1)
    try:
        with SMTPServer(ANSWER, port=SMTP_PORT) as smtp, node_a as a, node_b as b:
            checks.figure("nodes", f"{a.url} and {b.url}")
            _sessions_and_cache(checks, a, b, topic, seed, poster, flagger, locked_out)
            # Replies are queued and no worker runs yet: /healthz says so.
            try:
                wait_until(lambda: status_of(a.url + "/healthz") == 503, 30, "/healthz")
                stuck = Browser(b.url).request("/healthz")
                checks.check(
                    "/healthz fails on both nodes while no worker takes the queue",
                    stuck.status == 503 and '"tasks": {"status": "fail"' in stuck.text,
                    stuck.text[:200],
                )
            except DrillFailed as error:
                checks.check("/healthz fails while no worker takes the queue", False, str(error))

            for n in (1, 2):
                workers.append(
                    start(
                        [sys.executable, "manage.py", "db_worker", "--interval=0.2", "--no-reload"],
                        env,
                        logs / f"db_worker-{n}.log",
                    )
                )
            began = time.monotonic()
            browser = Browser(a.url)
            browser.log_in(poster.username)
            already = Post.objects.filter(topic=topic).count()
            acknowledged = 0
            for n in range(REPLIES - 2):  # two were posted above
                browser.base_url = (a, b)[n % 2].url
                response = browser.submit(
                    reply_path(seed.pk), {"subject": f"Batch {n}", "body": f"Batch reply {n}."}
                )
                acknowledged += bool(response and posted_id(response))
            checks.check("every reply acknowledged, alternating nodes", acknowledged == REPLIES - 2)
            checks.figure("replies stored", Post.objects.filter(topic=topic).count() - already)
            expected = REPLIES * FOLLOWERS
            wait_until(
                lambda: (
                    OutgoingEmail.objects.filter(status=OutgoingEmail.SENT).count() >= expected
                    and len(smtp.deliveries) >= expected
                ),
                120,
                f"{expected} emails sent",
                every=0.5,
            )
            took = time.monotonic() - began
            time.sleep(1)  # anything sent twice would arrive now
            stored = list(OutgoingEmail.objects.all())
            got = [d.message_id for d in smtp.deliveries]
            ids = {email.message_id() for email in stored}
            checks.figure("emails stored", len(stored))
            checks.figure(
                "emails delivered",
                f"{len(got)} over {smtp.connections} connections, "
                f"{len(got) / took:.0f} a second (posting included)",
            )
            checks.check(f"{expected} emails stored and sent", len(stored) == expected)
            checks.check("no Message-ID delivered twice", len(got) == len(set(got)))
            checks.check("none lost: every stored email arrived", set(got) == ids)
            by_worker = {}
            for worker_ids in DBTaskResult.objects.values_list("worker_ids", flat=True):
                for worker in worker_ids:
                    by_worker[worker] = by_worker.get(worker, 0) + 1
            checks.figure("tasks run per worker", sorted(by_worker.values()))
            checks.check("both workers took tasks", len(by_worker) == 2)
            checks.check(
                "no task ran twice",
                all(len(w) == 1 for w in DBTaskResult.objects.values_list("worker_ids", flat=True)),
            )
            for node in (a, b):
                health = Browser(node.url).request("/healthz")
                checks.check(
                    f"{node.url}/healthz says ok once the workers run",
                    health.status == 200,
                    health.text[:200],
                )
            checks.figure("flags stored", Flag.objects.count())
            _throughput(checks, a, b, topic, browser)
            first, last = (
                min(e.created_at for e in stored),
                max(e.sent_at for e in stored if e.sent_at),
            )
            checks.figure(
                "delivery rate, first email stored to last sent",
                f"{len(stored) / max((last - first).total_seconds(), 0.001):.0f} emails a second",
            )
    finally:
        for worker in workers:
            stop(worker)
        sampling.set()
        sampler.join(timeout=5)
    # The drill's own keys (the Redis server may hold other databases).
    keys = list(store.scan_iter(count=1000))
    key_bytes = sum(store.memory_usage(key) or 0 for key in keys)
    checks.figure("database connections (peak, mean)",
                  f"{max(connections_seen, default=0)}, "
                  f"{sum(connections_seen) / max(len(connections_seen), 1):.1f}")  # fmt: skip
    members = 3 + FOLLOWERS
    checks.figure(
        "Redis",
        f"{len(keys)} keys, {key_bytes:,} bytes (MEMORY USAGE) after {REPLIES} replies, "
        f"{FLAGS_PER_DAY + 1} flags and the logins of {members} members",
    )


def _throughput(checks, a, b, topic, member):
    """A few seconds of topic pages from both nodes at once: the figure the
    README's scaling note starts from. Bounded in time, not a test."""
    for label, session in (("anonymous", None), ("member", member)):
        browsers = [Browser((a, b)[n % 2].url) for n in range(THREADS)]
        if session is not None:
            for browser in browsers:
                for cookie in session.cookies:  # the member's session, on either node
                    browser.cookies.set_cookie(cookie)
        cpu_before = _cpu_seconds(a) + _cpu_seconds(b)
        served, failed = _load(browsers, topic.get_absolute_url(), time.monotonic() + LOAD_SECONDS)
        cpu = _cpu_seconds(a) + _cpu_seconds(b) - cpu_before
        # CPU per page holds on a busy machine, where the wall-clock rate
        # says more about the neighbours.
        checks.figure(
            f"topic page ({label}), {THREADS} clients on 2 nodes x 2 workers",
            f"{len(served) / LOAD_SECONDS:.0f} pages a second; {seconds(served)}; "
            f"{cpu / max(len(served), 1) * 1000:.0f} ms of gunicorn CPU a page"
            f"{f'; {len(failed)} failed' if failed else ''}",
        )


def _cpu_seconds(node) -> float:
    """User and system CPU of a gunicorn's workers so far (Linux /proc)."""
    pid = node.process.pid
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _load(browsers, url, stop_at):
    served, failed = [], []

    def load(browser):
        while time.monotonic() < stop_at:
            page = browser.request(url)
            (served if page.status == 200 else failed).append(page.seconds)

    threads = [threading.Thread(target=load, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 60)
    return served, failed


def _sessions_and_cache(checks, a, b, topic, seed, poster, flagger, locked_out):
    from forum.models import Post

    # A session made on A is a session on B.
    member = Browser(a.url)
    member.log_in(poster.username)
    member.base_url = b.url
    checks.check(
        "logged in through A, recognised by B",
        member.request("/u/me/profile/").status == 200,
    )

    # Posted through B; the same form sent again to A lands on the first post.
    path = reply_path(seed.pk)
    fields = member.form(path) | {"subject": "Across nodes", "body": "Posted through B."}
    first = member.request(path, fields)
    member.base_url = a.url
    again = member.request(path, fields)
    checks.check("posted through B", posted_id(first) is not None)
    checks.check(
        "the form sent again through A is saved once",
        again.status == 302
        and again.location == first.location
        and Post.objects.filter(body="Posted through B.").count() == 1,
        f"{again.status} -> {again.location}",
    )
    # The same text through the other node is refused as a repeat.
    repeat = member.submit(path, {"subject": "Again", "body": "Posted through B."})
    checks.check("the same text through A is refused as a repeat", repeat.status == 429)
    member.base_url = b.url
    different = member.submit(path, {"subject": "Second", "body": "Something new."})
    checks.check("a new text through B is taken", posted_id(different) is not None)

    # The flag limit counts on both nodes.
    reader = Browser(a.url)
    reader.log_in(flagger.username)
    posts = list(Post.objects.filter(topic=topic, parent=seed).order_by("pk"))[:2] + [seed]
    statuses = []
    for n, post in enumerate([*posts, topic.opening_post]):
        reader.base_url = (a, b)[n % 2].url
        response = reader.submit(f"/p/{post.pk}/flag/", {"reason": "spam"})
        statuses.append(response.status)
    checks.check(
        f"{FLAGS_PER_DAY} flags a day, counted across nodes",
        statuses == [302] * FLAGS_PER_DAY + [429],
        statuses,
    )

    # allauth's failed-login limit (5 per 5 minutes per account) across
    # nodes. allauth keys it by the request's host too, so the nodes must
    # see one public Host, as a reverse proxy sends it (deploy/nginx.conf).
    attempts = []
    for n in range(6):
        guesser = Browser((a, b)[n % 2].url, host=PUBLIC_HOST)
        password = PASSWORD if n == 5 else "wrong-password-123"
        response = guesser.submit(
            "/accounts/login/", {"login": locked_out.username, "password": password}
        )
        refused = "Too many failed login attempts" in response.text
        attempts.append(f"{response.status}{' refused' if refused else ''}")
    checks.check(
        "failed logins counted across nodes: the 6th is refused, right password or not",
        attempts == ["200"] * 5 + ["200 refused"],
        attempts,
    )

    # Logging out through A ends the session on B.
    member.base_url = a.url
    member.submit("/accounts/logout/", {})
    member.base_url = b.url
    checks.check(
        "logged out through A, anonymous on B",
        member.request("/u/me/profile/").status == 302,
    )


if __name__ == "__main__":
    run("nodes", drill)
