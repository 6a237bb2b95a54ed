
import django.contrib.postgres.search
import django.db.models.deletion
import search.models
from django.db import migrations, models

# Each offered language's configuration, accent-free: unaccent runs before
# the stemmer, so "élèves" and "eleves" are one lexeme (search.language.CONFIGS).
POSTGRES_CONFIGS = {
    "forum_en": "english",
    "forum_fr": "french",
    "forum_es": "spanish",
    "forum_ar": "arabic",
    "forum_simple": "simple",
}
POSTGRES_SQL = ["CREATE EXTENSION IF NOT EXISTS unaccent"]
for name, base in POSTGRES_CONFIGS.items():
    stem = "simple" if base == "simple" else f"{base}_stem"
    POSTGRES_SQL += [
        f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})",
        f"ALTER TEXT SEARCH CONFIGURATION {name} "
        f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem}",
    ]
POSTGRES_SQL.append("CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)")
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS search_entry_vector"] + [
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}" for name in POSTGRES_CONFIGS
]

# An external-content FTS5 table over search_searchentry, kept in step by
# triggers. A later migration that makes Django rebuild search_searchentry
# on SQLite (most AlterFields do) drops the triggers: recreate them and
# run INSERT INTO search_fts(search_fts) VALUES('rebuild').
SQLITE_SQL = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, text, content='search_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_entry_ai AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER search_entry_ad AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER search_entry_au AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO search_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TABLE IF EXISTS search_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def backfill(apps, schema_editor):
    from search.rebuild import backfill

    backfill(
        apps.get_model("forum", "Post"),
        apps.get_model("dialogues", "Dialogue"),
        apps.get_model("search", "SearchEntry"),
        schema_editor.connection,
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dialogues', '0003_outgoingemail_posts'),
        ('forum', '0005_topic_starters_and_topic_edit_log'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('post', 'post'), ('summary', 'summary')], max_length=8)),
                ('created_at', models.DateTimeField(db_index=True)),
                ('title', models.CharField(blank=True, max_length=200)),
                ('text', models.TextField(blank=True)),
                ('language', models.CharField(default='simple', max_length=8)),
                ('vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('dialogue', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_entry', to='dialogues.dialogue')),
                ('post', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_entry', to='forum.post')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='forum.topic')),
            ],
        ),
        migrations.CreateModel(
            name='FtsRow',
            fields=[
                ('entry', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='fts', serialize=False, to='search.searchentry')),
                ('title', models.TextField()),
                ('text', models.TextField()),
                ('search_fts', search.models.FtsMatchField()),
            ],
            options={
                'db_table': 'search_fts',
                'managed': False,
            },
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['topic', 'created_at'], name='search_entry_topic'),
        ),
        migrations.AddConstraint(
            model_name='searchentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('dialogue__isnull', True), ('kind', 'post'), ('post__isnull', False)), models.Q(('dialogue__isnull', False), ('kind', 'summary'), ('post__isnull', True)), _connector='OR'), name='search_entry_one_source'),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_SQL, "sqlite": SQLITE_SQL}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
