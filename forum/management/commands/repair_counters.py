"""Recount the denormalised counters from the posts themselves, by the rules
that keep them exact (forum/models.py, forum/moderation.py):

- Topic.post_count: the topic's visible posts (hidden ones do not count);
- Topic.last_post / last_post_at: its latest visible post (highest id), and
  that post's time;
- Post.child_count: the highest child number used under the post in the
  reply tree (tree.py), so the next reply gets a free path. Without
  deletions it is the number of the post's tree children.

Reports each fix and exits 0. Topics are checked in one query and repaired
with one UPDATE per batch; each topic's posts are read once, in chunks, so
100,000 posts take seconds.
Safe beside a running site: topics are recomputed inside the UPDATE, and a
child count is only written if no reply changed it since it was read."""

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.models import Post, Topic

BATCH = 2000
# Three parameters a row: within every SQLite's limit of 999.
WRITE_BATCH = 300
# Lines of detail per kind of fix; the totals always follow.
SHOWN = 50


def _recount():
    """What a topic's counters should be, as expressions on the topic row."""
    visible = Post.objects.filter(topic=OuterRef("pk"), is_hidden=False).order_by()
    latest = visible.order_by("-pk")
    return {
        "post_count": Coalesce(
            Subquery(visible.values("topic").annotate(n=Count("pk")).values("n")), 0
        ),
        "last_post": Subquery(latest.values("pk")[:1]),
        "last_post_at": Subquery(latest.values("created_at")[:1]),
    }


def _split(path: str) -> tuple[str, int]:
    """(the tree parent's path, this post's child number) from a path."""
    start = index = 0
    while index < len(path):
        start = index
        index += 1 + int(path[index])
    return path[:start], int(path[start + 1 : index])


def _write_child_counts(rows: list[tuple[int, int, int]]) -> None:
    """One UPDATE for a batch of (post id, count read, right count). A row
    is written only if it still holds the count read: a reply that took a
    number meanwhile wins (PostgreSQL and SQLite 3.33+ take UPDATE ... FROM)."""
    table = connection.ops.quote_name(Post._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH fix(id, old, new) AS (VALUES {values}) "  # noqa: S608 (no user input)
            f"UPDATE {table} SET child_count = fix.new FROM fix "
            f"WHERE {table}.id = fix.id AND {table}.child_count = fix.old",
            [value for row in rows for value in row],
        )


class Command(BaseCommand):
    help = "Recount topics' post counts and last posts, and posts' child counts; report fixes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what is wrong, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        self.dry_run = dry_run
        topics, counts, lasts = self.repair_topics()
        posts, children = self.repair_child_counts()
        checked = {
            "topics": ngettext("%(n)d topic", "%(n)d topics", topics) % {"n": topics},
            "posts": ngettext("%(n)d post", "%(n)d posts", posts) % {"n": posts},
        }
        if counts or lasts or children:
            fixes = ", ".join(
                [
                    ngettext("%(n)d post count", "%(n)d post counts", counts) % {"n": counts},
                    ngettext("%(n)d last post", "%(n)d last posts", lasts) % {"n": lasts},
                    ngettext("%(n)d child count", "%(n)d child counts", children) % {"n": children},
                ]
            )
            if dry_run:
                line = _("Checked %(topics)s and %(posts)s: would fix %(fixes)s.")
            else:
                line = _("Checked %(topics)s and %(posts)s: fixed %(fixes)s.")
            self.stdout.write(line % {**checked, "fixes": fixes})
        else:
            self.stdout.write(
                _("Checked %(topics)s and %(posts)s: all counters were right.") % checked
            )

    def detail(self, shown: int, line: str) -> None:
        if shown < SHOWN:
            self.stdout.write(line)
        elif shown == SHOWN:
            self.stdout.write(_("  ... (more of these)"))

    def repair_topics(self) -> tuple[int, int, int]:
        real = _recount()
        rows = Topic.objects.annotate(
            real_count=real["post_count"],
            real_last=real["last_post"],
            real_last_at=real["last_post_at"],
        ).values_list(
            "pk",
            "post_count",
            "last_post_id",
            "last_post_at",
            "real_count",
            "real_last",
            "real_last_at",
        )
        checked = counts = lasts = 0
        wrong = []
        for pk, count, last, last_at, real_count, real_last, real_last_at in rows.order_by("pk"):
            checked += 1
            count_wrong = count != real_count
            last_wrong = last != real_last or (real_last is not None and last_at != real_last_at)
            if count_wrong:
                self.detail(counts, f"topic {pk}: post_count {count} -> {real_count}")
                counts += 1
            if last_wrong:
                self.detail(lasts, f"topic {pk}: last post {last} -> {real_last}")
                lasts += 1
            if count_wrong or last_wrong:
                wrong.append(pk)
        if not self.dry_run:
            for start in range(0, len(wrong), BATCH):
                real = _recount()
                # Recomputed in the UPDATE itself: a reply committed meanwhile counts.
                Topic.objects.filter(pk__in=wrong[start : start + BATCH]).update(
                    post_count=real["post_count"],
                    last_post=real["last_post"],
                    last_post_at=Coalesce(real["last_post_at"], F("last_post_at")),
                )
        return checked, counts, lasts

    def repair_child_counts(self) -> tuple[int, int]:
        checked = fixed = 0
        for topic_id in list(Topic.objects.order_by("pk").values_list("pk", flat=True)):
            rows = list(
                Post.objects.filter(topic_id=topic_id)
                .order_by()
                .values_list("pk", "path", "child_count")
                .iterator(chunk_size=BATCH)
            )
            highest: dict[str, int] = {}
            for _pk, path, _count in rows:
                if path:
                    parent, number = _split(path)
                    highest[parent] = max(highest.get(parent, 0), number)
            wrong = [
                (pk, count, highest.get(path, 0))
                for pk, path, count in rows
                if count != highest.get(path, 0)
            ]
            checked += len(rows)
            for pk, count, real in wrong:
                self.detail(fixed, f"post {pk}: child_count {count} -> {real}")
                fixed += 1
            if not self.dry_run:
                for start in range(0, len(wrong), WRITE_BATCH):
                    _write_child_counts(wrong[start : start + WRITE_BATCH])
        return checked, fixed
