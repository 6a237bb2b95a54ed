"""Filling the index from what is stored: the migration calls it for the
posts and summaries written before search existed, with its historical
models, and `manage.py rebuild_search_index` with the current ones."""

from .language import guess
from .text import CONTROL, plain_text

CHUNK = 2000


def backfill(Post, Dialogue, SearchEntry, connection) -> int:
    SearchEntry.objects.all().delete()
    made = 0
    posts = Post.objects.filter(is_hidden=False).order_by("pk")
    last = 0
    while True:
        chunk = list(
            posts.filter(pk__gt=last).values(
                "pk", "topic_id", "created_at", "subject", "body_html", "path"
            )[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1]["pk"]
        rows = []
        for post in chunk:
            subject = post["subject"]
            # As search.indexing: "Re: ..." subjects of replies are not indexed.
            title = subject if post["path"] == "" or not subject.lower().startswith("re:") else ""
            text = plain_text(post["body_html"])
            title = CONTROL.sub(" ", title)
            rows.append(
                SearchEntry(
                    kind="post",
                    post_id=post["pk"],
                    topic_id=post["topic_id"],
                    created_at=post["created_at"],
                    title=title,
                    text=text,
                    language=guess(f"{title} {text}"),
                )
            )
        SearchEntry.objects.bulk_create(rows)
        made += len(rows)
    summaries = Dialogue.objects.filter(summary_published_at__isnull=False).exclude(summary_html="")
    for dialogue in summaries.select_related("topic"):
        text = plain_text(dialogue.summary_html)
        title = CONTROL.sub(" ", dialogue.topic.title)
        SearchEntry.objects.create(
            kind="summary",
            dialogue_id=dialogue.pk,
            topic_id=dialogue.topic_id,
            created_at=dialogue.summary_published_at,
            title=title,
            text=text,
            language=guess(f"{title} {text}"),
        )
        made += 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(VECTORS_SQL)
    return made


# The same vector as search.backends.postgres.vector_of(), for every row.
VECTORS_SQL = """
UPDATE search_searchentry SET vector =
    setweight(to_tsvector(('forum_' || language)::regconfig, title), 'A')
    || setweight(to_tsvector(('forum_' || language)::regconfig, text), 'B')
"""
