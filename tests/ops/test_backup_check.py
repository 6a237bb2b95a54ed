"""`manage.py backup_check`: a dump restores with every row (README, "Backups")."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from forum.management.commands import backup_check
from forum.models import Post
from tests.factories import make_reply, make_topic

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup_check dumps with pg_dump: run with DATABASE_URL=postgres://...",
)


def scratch_exists(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


@pytest.fixture
def posts(transactional_db, category, facilitator):
    topic = make_topic(category=category, author=facilitator, title="Kept in the backup")
    for n in range(3):
        make_reply(topic, subject=f"Reply {n}", body="Worth keeping.")
    return Post.objects.filter(topic=topic)


@postgres_only
def test_a_backup_restores_every_row(posts, capsys):
    call_command("backup_check")
    out = capsys.readouterr().out
    assert f"public.forum_post: {Post.objects.count()}\n" in out
    assert "public.accounts_user: " in out
    assert "every table matches" in out
    scratch = connection.settings_dict["NAME"] + "_backup_scratch"
    assert not scratch_exists(scratch)


@postgres_only
def test_a_restore_that_loses_a_row_fails(posts, monkeypatch, capsys):
    restore = backup_check.Command.restore

    def losing_a_row(command, dump, scratch):
        restore(command, dump, scratch)
        db = command.connect(scratch)
        with db, db.cursor() as cursor:
            cursor.execute(
                "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)"
            )
        db.close()

    monkeypatch.setattr(backup_check.Command, "restore", losing_a_row)
    with pytest.raises(CommandError, match=r"differs in 1 table\(s\): public.django_migrations"):
        call_command("backup_check")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        count = cursor.fetchone()[0]
    out = capsys.readouterr().out
    assert f"public.django_migrations: {count} -> restored {count - 1}" in out
    assert f"public.forum_post: {Post.objects.count()}\n" in out


@postgres_only
def test_it_refuses_a_scratch_database_without_scratch_in_its_name(db):
    with pytest.raises(CommandError, match="Refusing to overwrite 'forum_live'"):
        call_command("backup_check", "--scratch", "forum_live")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_on_sqlite_it_says_it_needs_postgresql(db):
    with pytest.raises(CommandError, match="backup_check needs PostgreSQL"):
        call_command("backup_check")
