"""A real streaming replica for the tests, from the machine's PostgreSQL
binaries: a private primary (initdb in a temporary directory, on a free port
in PG_PORTS), a standby made from it with `pg_basebackup -R`, and gunicorn
nodes whose DATABASE_URL is the primary and DATABASE_REPLICA_URLS the
standby. Never the machine's own cluster. Everything is stopped (pg_ctl -m
fast, gunicorn by its PID) and removed by the caller's finally blocks.

`python -m tests.ops.streaming scene` is run by the fixture against the
private primary: it migrates and makes the people and topic the tests use."""

import json
import os
import shutil
import socket
import sys
from pathlib import Path

import psycopg2

from drills.common import DrillFailed, wait_until
from drills.restart import PG_BIN, PrivateCluster

PG_PORTS = range(5600, 5700)
HTTP_PORTS = range(8320, 8340)
DATABASE = "forum_replica_drill"


def binaries_missing() -> str | None:
    missing = [
        tool for tool in ("initdb", "pg_ctl", "pg_basebackup") if not (PG_BIN / tool).exists()
    ]
    if missing:
        return (
            f"PostgreSQL server binaries not found in {PG_BIN} ({', '.join(missing)}): "
            "install postgresql-15 (or set DRILL_PG_BIN) to run the streaming-replica tests"
        )
    return None


def free_port(ports: range, taken=()) -> int:
    for port in ports:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise DrillFailed(f"no free port in {ports.start}-{ports.stop - 1}")


def url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"


def sql(port: int, query: str, *params):
    """One statement on a private cluster, in autocommit; its first row."""
    connection = psycopg2.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=DATABASE, connect_timeout=5
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchone() if cursor.description else None
    finally:
        connection.close()


class Primary(PrivateCluster):
    def __enter__(self):
        try:
            super().__enter__()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        try:
            admin = psycopg2.connect(
                host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
            )
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {DATABASE}")
            admin.close()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def streaming(self) -> bool:
        return (
            sql(self.port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0]
            > 0
        )


class Standby(PrivateCluster):
    """A hot standby of `primary`: pg_basebackup -R writes standby.signal and
    primary_conninfo, so it starts streaming from the primary at once."""

    def __init__(self, port: int, primary: PrivateCluster):
        super().__init__(port)
        self.primary = primary

    def __enter__(self):
        try:
            if self.as_owner:
                shutil.chown(self.dir, "postgres")
            self._run(
                str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port),
                "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream",
                "--checkpoint=fast", "--no-sync",
            )  # fmt: skip
            self.start()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        return self

    def start(self) -> None:
        self.pg_ctl("-o", self.options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def pause(self) -> None:
        sql(self.port, "SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        sql(self.port, "SELECT pg_wal_replay_resume()")


def make_scene(env: dict) -> dict:
    """Run in a subprocess: migrate the private primary, make the people."""
    from drills.common import PASSWORD, make_people, make_topic, setup_django

    setup_django(env)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from dialogues.notifications import muted

    with muted():
        topic = make_topic("Read from a replica")
    author, reader = make_people(2, prefix="member")
    facilitator = topic.author
    return {
        "topic": topic.get_absolute_url(),
        "opening_post": topic.opening_post_id,
        "author": author.username,
        "reader": reader.username,
        "facilitator": facilitator.username,
        "password": PASSWORD,  # this process's: the test logs in with it
    }


def log_entries(log: Path) -> list[dict]:
    """The JSON lines (LOG_FORMAT=json) among a server's output."""
    entries = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                pass
    return entries


def wait_streaming(primary: Primary, timeout: float = 20) -> None:
    wait_until(primary.streaming, timeout, "the standby to stream from the primary", every=0.1)


if __name__ == "__main__" and sys.argv[1:] == ["scene"]:
    print(json.dumps(make_scene(dict(os.environ))))
