"""Measure search on a large corpus (PostgreSQL only): bulk insert N posts
of Zipf-distributed words (a deterministic corpus: the same --seed gives the
same text), index them, ANALYZE, then time one- and two-word queries through
search.query.search(), the function the page calls, and print p50/p95 and
the size of the GIN index, as text and as JSON.

    createdb forum_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forum_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py benchmark_search --posts 1000000

It writes to the configured database: point it at a scratch one.
"""

import io
import json
import math
import os
import random
import statistics
import time
from itertools import product

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from forum.models import Category, Topic
from search.query import search

# Real words first (the commonest content words), then made-up ones: a
# vocabulary with the long tail real text has.
REAL = """
people community dialogue safety data security documentation testimony consent
trust story stories resource resources archive archives backup backups office
laptop password passwords phone phones network training workshop partner partners
river rivers flood floods water village villages school schools teacher teachers
student students health clinic clinics doctor nurse family families children
women youth elders land farm farmers harvest market markets money budget grant
grants report reports research survey interview interviews question questions
answer answers meeting meetings facilitator facilitators leader leaders lesson
lessons practice practices experience experiences memory memories language
languages translation translator radio video photo photos camera journalist
journalists court lawyer lawyers rights justice police border refugee refugees
shelter housing food medicine vaccine election elections vote voters campaign
volunteer volunteers organisation organisations funding donor donors policy
policies government ministry law laws risk risks threat threats protection
encryption device devices software update updates cloud storage server email
message messages signal whatsapp website social media online offline internet
connection electricity power solar energy climate drought storm storms season
""".split()
ACCENTED = "sécurité données élèves témoignage café réunion communauté été année".split()
STOPWORDS = """the and of to a in is that it was for on are with as be this have not
but they you we our at by from or an were which their has had more when can""".split()
CHUNK = 20_000
SYLLABLES = "ka ri to ma ne su lo pe di na vo ga mi te ru sa bo li ze fu".split()


def make_vocabulary(size: int) -> list[str]:
    words = [*REAL, *ACCENTED]
    for length in (2, 3, 4):
        for parts in product(SYLLABLES, repeat=length):
            words.append("".join(parts))
            if len(words) >= size:
                return words
    return words


def zipf_rank(rng: random.Random, size: int) -> int:
    # P(rank <= r) = ln r / ln size: Zipf's law with exponent 1.
    return min(int(math.exp(rng.random() * math.log(size))), size) - 1


def percentile(ordered: list[float], p: int) -> float:
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


class Command(BaseCommand):
    help = "Build a large corpus and time searches over it (PostgreSQL; writes to the database)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=100_000)
        parser.add_argument("--topics", type=int, default=0, help="default: posts / 1000")
        parser.add_argument("--queries", type=int, default=200, help="of each kind")
        parser.add_argument("--vocabulary", type=int, default=30_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reuse", action="store_true", help="time the corpus already built")

    def handle(self, *args, posts, topics, queries, vocabulary, seed, reuse, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark_search measures PostgreSQL: set DATABASE_URL.")
        words = make_vocabulary(vocabulary)
        started = time.perf_counter()
        if not reuse:
            self.build(posts, topics or max(posts // 1000, 1), words, seed)
        built = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM search_searchentry")
            entries = cursor.fetchone()[0]
            cursor.execute(
                "SELECT pg_relation_size('search_entry_vector'), "
                "pg_total_relation_size('search_searchentry')"
            )
            index_bytes, table_bytes = cursor.fetchone()
        rng = random.Random(seed)
        sql_ms = []

        def timed(execute, sql, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                sql_ms[-1] += (time.perf_counter() - t0) * 1000

        timings = {}
        for n_words in (1, 2):
            kind = f"{n_words}-word"
            samples = []
            for i in range(queries + 5):
                terms = [words[zipf_rank(rng, len(words))] for _ in range(n_words)]
                sql_ms.append(0.0)
                t0 = time.perf_counter()
                with connection.execute_wrapper(timed):
                    results = search(terms, user=AnonymousUser())
                elapsed = (time.perf_counter() - t0) * 1000
                if i >= 5:  # the first few warm the caches
                    samples.append((elapsed, sql_ms[-1], len(results.hits)))
            times = sorted(ms for ms, _sql, _hits in samples)
            in_sql = sorted(sql for _ms, sql, _hits in samples)
            timings[kind] = {
                "queries": len(times),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "max_ms": round(times[-1], 1),
                # Of which in the database (the rest: Python, building the page's objects).
                "sql_p50_ms": round(statistics.median(in_sql), 1),
                "sql_p95_ms": round(percentile(in_sql, 95), 1),
                "with_results": sum(1 for _ms, _sql, hits in samples if hits),
            }
        report = {
            "database": connection.settings_dict["NAME"],
            "ranked_matches": settings.FORUM_SEARCH_RANKED_MATCHES,
            # The machine's load while measuring: timings on a shared
            # machine mean little without it.
            "load_average": [round(n, 1) for n in os.getloadavg()],
            "entries": entries,
            "build_seconds": round(built, 1),
            "gin_index_bytes": index_bytes,
            "gin_index_mb": round(index_bytes / 2**20, 1),
            "entry_table_total_mb": round(table_bytes / 2**20, 1),
            **timings,
        }
        self.stdout.write(
            f"{entries} entries (built in {built:.0f}s); ranked among "
            f"{settings.FORUM_SEARCH_RANKED_MATCHES} matches; load average "
            f"{report['load_average']}"
        )
        self.stdout.write(
            f"GIN index: {report['gin_index_mb']} MB; "
            f"search_searchentry with indexes: {report['entry_table_total_mb']} MB"
        )
        for kind in ("1-word", "2-word"):
            t = timings[kind]
            self.stdout.write(
                f"{kind}: p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms, max {t['max_ms']} ms "
                f"(in SQL: p50 {t['sql_p50_ms']} ms, p95 {t['sql_p95_ms']} ms; "
                f"{t['queries']} queries, {t['with_results']} with results)"
            )
        self.stdout.write(json.dumps(report))

    def build(self, posts: int, topic_count: int, words: list[str], seed: int) -> None:
        User = get_user_model()
        with transaction.atomic():
            people = User.objects.bulk_create(
                [User(username=f"searchbench{i}", display_name=f"Bench {i}") for i in range(50)]
            )
            category = Category.objects.create(name="Search benchmark", slug="search-benchmark")
            made = Topic.objects.bulk_create(
                [
                    Topic(category=category, author=people[i % 50], title=f"Benchmark {i}")
                    for i in range(topic_count)
                ]
            )
        first_topic, first_user = made[0].pk, people[0].pk
        rng = random.Random(seed)
        self.stdout.write(f"inserting {posts} posts...")
        with connection.cursor() as cursor:
            for start in range(0, posts, CHUNK):
                rows = io.StringIO()
                for g in range(start, min(start + CHUNK, posts)):
                    body = " ".join(
                        rng.choice(STOPWORDS)
                        if rng.random() < 0.33
                        else words[zipf_rank(rng, len(words))]
                        for _ in range(30 + rng.randrange(90))
                    )
                    number = g // topic_count + 1
                    rows.write(
                        f"{first_topic + g % topic_count}\t{first_user + g % 50}\tRe: Benchmark\t"
                        f"{body}\t<p>{body}</p>\t{g}\t{len(str(number))}{number}\n"
                    )
                rows.seek(0)
                # created_at: a minute apart, newest first.
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS bench_post (topic_id bigint, author_id bigint,"
                    " subject text, body text, body_html text, minutes int, path text)"
                )
                cursor.copy_expert("COPY bench_post FROM STDIN", rows)
                cursor.execute(
                    """
                    INSERT INTO forum_post (topic_id, author_id, subject, body, body_html,
                        created_at, path, depth, child_count, hidden_reason, is_hidden)
                    SELECT topic_id, author_id, subject, body, body_html,
                        now() - minutes * interval '1 minute', path, 1, 0, '', false
                    FROM bench_post
                    """
                )
                cursor.execute("TRUNCATE bench_post")
            self.stdout.write("indexing...")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            # The GIN index is built once at the end, as CREATE INDEX does
            # best, rather than row by row.
            cursor.execute("DROP INDEX IF EXISTS search_entry_vector")
            cursor.execute(
                """
                INSERT INTO search_searchentry (kind, post_id, topic_id, created_at, title, text,
                    language, vector)
                SELECT 'post', id, topic_id, created_at, '', body, 'en',
                    setweight(to_tsvector('forum_en', body), 'B')
                FROM forum_post WHERE topic_id >= %s
                """,
                [first_topic],
            )
            cursor.execute(
                "CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)"
            )
