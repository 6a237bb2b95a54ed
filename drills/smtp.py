"""Drill: the mail server is down, then hangs (accepts connections and says
nothing). Replies through gunicorn on PostgreSQL stay fast; every email goes
out once the server is back, exactly once each (counted at the socket).

Run twice: with the default task backend (threads in gunicorn) and with the
production one (TASKS_BACKEND=database and a db_worker process). After the
"down" phase the failed first attempts wait 5 minutes for their retry: the
drill moves that time forward in the database instead of waiting, then runs
`manage.py retry_emails` as cron would.

    .venv/bin/python -m drills.smtp"""

import os
import sys
import tempfile
import time
from pathlib import Path

from drills.common import (
    DATABASE_URL,
    PORT,
    Gunicorn,
    fresh_database,
    logged_in,
    make_people,
    make_topic,
    manage,
    posted_id,
    reply_path,
    run,
    seconds,
    server_env,
    setup_django,
    start,
    stop,
    wait_until,
)
from tests.smtp_server import ANSWER, HANG, SMTPServer

SMTP_PORT = int(os.environ.get("DRILL_SMTP_PORT", str(PORT + 90)))
POSTERS, REPLIES_EACH, FOLLOWERS = 3, 3, 5
# Seconds. A reply that waited on a hanging mail server would take the 20 s
# EMAIL_TIMEOUT; this leaves room for a loaded machine and a worker's first
# request.
FAST = 2.0
HANG_FOR = 3  # seconds after the last reply


def drill(checks):
    setup_django(server_env())
    fresh_database(DATABASE_URL)
    posters = make_people(POSTERS, prefix="poster")
    followers = make_people(FOLLOWERS, prefix="follower")
    logs = Path(tempfile.mkdtemp(prefix="drill-smtp-"))
    checks.figure("server logs", logs)
    browsers = {}  # logged in once: the sessions outlive the servers
    for backend in ("threads", "database"):
        print(f" -- TASKS_BACKEND={backend}", flush=True)
        with_backend(checks, backend, posters, followers, logs, browsers)


def with_backend(checks, backend, posters, followers, logs, browsers):
    from django.utils import timezone

    from dialogues.models import OutgoingEmail, Subscription
    from dialogues.notifications import muted

    env = server_env(
        TASKS_BACKEND=backend,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        EMAIL_USE_TLS="0",
        EMAIL_TIMEOUT="20",
    )
    with muted():
        topic = make_topic(f"Mail trouble ({backend})")
    for person in [topic.author, *followers]:
        Subscription.set(person, topic, True)
    expected = POSTERS * REPLIES_EACH * (FOLLOWERS + 1)

    def post_replies(label):
        responses = []
        for n in range(REPLIES_EACH):
            for i, browser in enumerate(browsers["all"]):
                marker = f"{label}: poster {i} reply {n}"
                path = reply_path(topic.opening_post_id)
                responses.append(browser.submit(path, {"subject": marker, "body": marker}))
        checks.check(
            f"every reply acknowledged ({label})",
            all(r is not None and posted_id(r) for r in responses),
        )
        return [r.seconds for r in responses if r is not None]

    def emails_since(moment):
        return OutgoingEmail.objects.filter(created_at__gte=moment)

    def all_sent(moment):
        sent = list(emails_since(moment).filter(status=OutgoingEmail.SENT))
        return sent if len(sent) == expected else None

    worker = None
    with Gunicorn(env, logs / f"gunicorn-{backend}.log") as server:
        try:
            if backend == "database":
                worker = start(
                    [sys.executable, "manage.py", "db_worker", "--interval=0.5", "--no-reload"],
                    env,
                    logs / "db_worker.log",
                )
            if "all" not in browsers:
                browsers["all"] = logged_in(server.url, posters)

            # Down: nothing listens on the port.
            began = timezone.now()
            times = post_replies(f"{backend}, down")
            checks.figure("reply times, mail server down", seconds(times))
            checks.check("replies stay fast while the mail server is down", max(times) < FAST)
            wait_until(
                lambda: emails_since(began).filter(attempts=1).count() == expected,
                60,
                "every email's first attempt",
            )
            refused = emails_since(began).filter(
                status=OutgoingEmail.PENDING, last_error__icontains="refused"
            )
            checks.check(
                "every email is stored and waits for a retry",
                refused.count() == expected,
                f"{refused.count()} of {expected}",
            )
            with SMTPServer(ANSWER, port=SMTP_PORT) as smtp:
                emails_since(began).update(next_attempt_at=timezone.now())
                manage(env, "retry_emails")
                sent = wait_until(lambda: all_sent(began), 90, "the retries")
                _delivered_once(checks, "down, then back", smtp, sent)

            # Hanging: connections are accepted and never answered.
            began = timezone.now()
            with SMTPServer(HANG, port=SMTP_PORT) as smtp:
                times = post_replies(f"{backend}, hanging")
                checks.figure("reply times, mail server hanging", seconds(times))
                checks.check("replies stay fast while the mail server hangs", max(times) < FAST)
                wait_until(lambda: smtp.connections, 30, "a connection to the mail server")
                time.sleep(HANG_FOR)
                checks.figure("connections held by the hanging server", smtp.connections)
                checks.check(
                    "nothing is sent while it hangs",
                    not smtp.deliveries
                    and not emails_since(began).filter(status=OutgoingEmail.SENT).exists(),
                )
                smtp.answer()
                answered = time.monotonic()
                sent = wait_until(lambda: all_sent(began), 90, "the held sends")
                checks.figure(
                    "all sent after the server answered, in",
                    f"{time.monotonic() - answered:.1f} s",
                )
                _delivered_once(checks, "hanging, then answering", smtp, sent)
        finally:
            stop(worker)


def _delivered_once(checks, phase, smtp, sent):
    ids = sorted(email.message_id() for email in sent)
    got = sorted(d.message_id for d in smtp.deliveries)
    checks.figure(f"emails delivered ({phase})", f"{len(got)} over {smtp.connections} connections")
    checks.check(
        f"each email delivered exactly once ({phase})", got == ids, f"{len(got)} vs {len(ids)}"
    )


if __name__ == "__main__":
    run("smtp", drill)
