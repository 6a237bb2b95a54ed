"""The search index: one row per visible post and per published summary,
with the plain text that is searched and shown in snippets. The full-text
index itself is the database's: a GIN-indexed tsvector column on
PostgreSQL, an FTS5 virtual table (search_fts, kept in step by triggers)
on SQLite; both are made by this app's migration."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Lookup

from dialogues.models import Dialogue
from forum.models import Post, Topic

from .querysets import SearchEntryQuerySet


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        POST = "post", "post"
        SUMMARY = "summary", "summary"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="search_entry"
    )
    dialogue = models.OneToOneField(
        Dialogue, on_delete=models.CASCADE, null=True, blank=True, related_name="search_entry"
    )
    # A post never changes topic; the topic's series is read through the
    # join, since a topic can be moved to another category.
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    title = models.CharField(max_length=settings.FORUM_MAX_SUBJECT_LENGTH, blank=True)
    # Plain text (never HTML): what is matched and what snippets are cut from.
    text = models.TextField(blank=True)
    # An offered language code, or "simple": picks the text-search
    # configuration (search.language.CONFIGS) on PostgreSQL.
    language = models.CharField(max_length=8, default="simple")
    # PostgreSQL only (filled by search.backends); its GIN index is in the
    # migration. On SQLite the column stays empty.
    vector = SearchVectorField(null=True, editable=False)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="post", post__isnull=False, dialogue__isnull=True)
                | models.Q(kind="summary", post__isnull=True, dialogue__isnull=False),
                name="search_entry_one_source",
            )
        ]
        indexes = [models.Index(fields=["topic", "created_at"], name="search_entry_topic")]

    def __str__(self) -> str:
        return self.title or f"{self.kind} {self.pk}"


class FtsMatchField(models.TextField):
    """The FTS5 table's hidden column named after the table: MATCH on it
    searches every column."""


@FtsMatchField.register_lookup
class FtsMatch(Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", (*lhs_params, *rhs_params)


class FtsRow(models.Model):
    """The SQLite FTS5 virtual table, read through the ORM so that one
    queryset (and its filters) serves both databases. Written only by the
    triggers on search_searchentry."""

    entry = models.OneToOneField(
        SearchEntry,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="fts",
    )
    title = models.TextField()
    text = models.TextField()
    search_fts = FtsMatchField()

    class Meta:
        managed = False
        db_table = "search_fts"

    def __str__(self) -> str:
        return self.title
