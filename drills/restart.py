"""Drill: PostgreSQL crashes and restarts under a posting loop. 0
acknowledged posts are lost, and the site takes replies again within 10 s.

The database is a private cluster made for the drill in a temporary
directory (initdb, pg_ctl) on DRILL_PG_PORT, never the machine's own; it is
stopped "immediate" (a crash: no checkpoint, recovery from the WAL on start).

    .venv/bin/python -m drills.restart"""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from drills.common import (
    DrillFailed,
    Gunicorn,
    fresh_database,
    logged_in,
    make_people,
    make_topic,
    posted_id,
    reply_path,
    run,
    server_env,
    setup_django,
)

PG_BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = int(os.environ.get("DRILL_PG_PORT", "5544"))
POSTERS = 5
RESTART_AFTER = 8  # seconds of posting
POSTING_FOR = 30  # seconds in all
BACK_WITHIN = 10  # seconds


class PrivateCluster:
    """A PostgreSQL cluster of our own in a temporary directory, run as the
    postgres user when this is root (PostgreSQL refuses to run as root)."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="drill-pg-"))
        self.data = self.dir / "data"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/forum_drill"

    @property
    def options(self) -> str:
        return f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"

    def pg_ctl(self, *args: str) -> None:
        # -l: the server's output goes to a file, never to our pipes.
        log = str(self.dir / "postgres.log")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-t", "30", *args)

    def _run(self, *command: str, timeout: float = 60) -> None:
        result = subprocess.run(  # noqa: S603 (PostgreSQL's own tools, fixed arguments)
            [*self.as_owner, *command], capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            raise DrillFailed(f"{command[0]} failed: {result.stderr[-2000:]}")

    def __enter__(self):
        if self.as_owner:
            shutil.chown(self.dir, "postgres")
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        self.pg_ctl("-o", self.options, "start")
        return self

    def restart_after_crash(self) -> None:
        self.pg_ctl("-m", "immediate", "-o", self.options, "restart")

    def __exit__(self, *exc_info):
        try:
            self.pg_ctl("-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def drill(checks):
    with PrivateCluster(PG_PORT) as cluster:
        checks.figure("private cluster", f"{cluster.data} on port {cluster.port}")
        env = server_env(cluster.url)
        setup_django(env)
        fresh_database(cluster.url)
        from django.db import connection

        from dialogues.notifications import muted
        from forum.models import Post

        with muted():
            topic = make_topic("Through a database crash")
        people = make_people(POSTERS)
        log = Path(tempfile.mkdtemp(prefix="drill-restart-")) / "gunicorn.log"
        checks.figure("server log", log)
        lock = threading.Lock()
        # (post id, marker, when its request began); (when it failed, what)
        acknowledged, failed = [], []

        with Gunicorn(env, log) as server:
            browsers = logged_in(server.url, people)
            path = reply_path(topic.opening_post_id)

            def post_in_a_loop(i):
                for n in range(10_000):
                    if time.monotonic() > stop_at:
                        return
                    marker = f"poster {i} reply {n}"
                    began = time.monotonic()
                    try:
                        response = browsers[i].submit(path, {"subject": marker, "body": marker})
                        outcome = posted_id(response) if response else None
                        what = response.status if response else 403
                    except (DrillFailed, OSError) as error:
                        outcome, what = None, type(error).__name__
                    with lock:
                        if outcome:
                            acknowledged.append((outcome, marker, began))
                        else:
                            failed.append((time.monotonic(), what))
                    if not outcome:
                        time.sleep(0.1)

            threads = [threading.Thread(target=post_in_a_loop, args=(i,)) for i in range(POSTERS)]
            stop_at = time.monotonic() + POSTING_FOR
            for thread in threads:
                thread.start()
            time.sleep(RESTART_AFTER)
            crashed = time.monotonic()
            cluster.restart_after_crash()
            restarted = time.monotonic()
            for thread in threads:
                thread.join(timeout=POSTING_FOR + 60)

        connection.close()  # this process's connection died with the server
        stored = dict(Post.objects.filter(topic=topic).values_list("pk", "body"))
        lost = [(pk, marker) for pk, marker, _ in acknowledged if stored.get(pk) != marker]
        outage = min((at for at, _ in failed if at > crashed), default=crashed)
        back = min((at for _, _, at in acknowledged if at > outage), default=None)
        before = sum(at <= crashed for _, _, at in acknowledged)
        checks.figure("replies acknowledged", f"{len(acknowledged)} ({before} before the crash)")
        checks.figure("database down and back up in", f"{restarted - crashed:.1f} s")
        checks.figure(
            "requests that failed", f"{len(failed)}: {sorted({str(w) for _, w in failed})}"
        )
        checks.figure(
            "replies stored though their request failed",
            len(stored) - 1 - len(acknowledged),
        )
        checks.check("acknowledged replies lost: 0", not lost, f"{len(lost)}: {lost[:5]}")
        checks.check("replies were acknowledged before the crash", before > 0)
        checks.check(
            f"replies are taken again within {BACK_WITHIN} s of the crash",
            back is not None and back - crashed <= BACK_WITHIN,
            f"the first reply begun after the first failure was taken {back - crashed:.1f} s "
            "after the crash"
            if back
            else "never",
        )


if __name__ == "__main__":
    run("restart", drill)
