"""Measure the topic page on a very long thread: build a topic of N posts
(bulk inserted, in a random reply tree), then time the first, a middle and
the last page through the test client and count their SQL queries, in one
reading mode (--view).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forum_bench \\
        .venv/bin/python manage.py benchmark_topic --posts 100000

It writes to the configured database: point it at a scratch one. The
benchmark topic is deleted afterwards unless --keep is given.
"""

import random
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import markup, tree
from forum.models import Category, Post, Topic

BATCH = 2_000


class Command(BaseCommand):
    help = "Build a long topic and time its pages (writes to the configured database)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark topic")
        parser.add_argument(
            "--view",
            choices=["threaded", "flat", "new"],
            default="threaded",
            help="reading mode (anonymous readers of new read threaded)",
        )

    def handle(self, *args, posts, repeat, seed, keep, view, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        topic = self.build(posts, random.Random(seed))
        # Fresh bulk inserts have no planner statistics until autovacuum runs;
        # a live forum always has them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"built {posts} posts in {time.perf_counter() - started:.1f}s")
        try:
            self.measure(topic, repeat, view)
        finally:
            if not keep:
                self.delete(topic)

    @transaction.atomic
    def build(self, count, rng):
        User = get_user_model()
        people = [
            User.objects.get_or_create(
                username=f"bench{i}", defaults={"display_name": f"Bench {i}"}
            )[0]
            for i in range(20)
        ]
        category, _ = Category.objects.get_or_create(
            slug="benchmark", defaults={"name": "Benchmark"}
        )
        topic = Topic.start(category=category, author=people[0], title="Benchmark", body="Opening.")
        html = markup.render("A reply with **some** text and a https://example.org link.")
        # (path, depth, child count) per post, built in memory: 30% of posts
        # answer the topic, the rest answer a recent post.
        nodes = [[topic.opening_post.path, 0, 0]]
        now = timezone.now()
        rows = []
        for i in range(count):
            if len(nodes) == 1 or rng.random() < 0.3:
                parent = nodes[0]
            else:
                parent = nodes[max(1, len(nodes) - rng.randint(1, 50))]
            if parent[1] >= tree.MAX_DEPTH:
                parent = nodes[0]
            parent[2] += 1
            node = [tree.child_path(parent[0], parent[2]), parent[1] + 1, 0]
            nodes.append(node)
            rows.append(
                Post(
                    topic=topic,
                    author=people[i % len(people)],
                    subject=f"Reply {i}",
                    body="A reply.",
                    body_html=html,
                    path=node[0],
                    depth=node[1],
                    created_at=now,
                )
            )
            if len(rows) == BATCH:
                Post.objects.bulk_create(rows)
                rows = []
        Post.objects.bulk_create(rows)
        last = Post.objects.filter(topic=topic).order_by("-pk").first()
        Topic.objects.filter(pk=topic.pk).update(post_count=count + 1, last_post=last)
        return Topic.objects.get(pk=topic.pk)

    def measure(self, topic, repeat, view):
        size = settings.FORUM_PAGE_SIZE
        key = "path" if view == "threaded" else "pk"
        replies = topic.posts.replies().order_by(key).values_list("pk", flat=True)
        total = topic.post_count - 1
        middle = replies[total // 2]
        url = topic.get_absolute_url()
        pages = {
            "first page": f"{url}?view={view}",
            "middle page": f"{url}?after={middle}&view={view}",
            "last page": f"{url}?page=last&view={view}",
        }
        client = Client()
        reader = get_user_model().objects.get(username="bench1")
        for who in ("anonymous", "logged in"):
            if who == "logged in":
                client.force_login(reader)
            for name, url in pages.items():
                timings = []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        began = time.perf_counter()
                        response = client.get(url)
                        timings.append(time.perf_counter() - began)
                    assert response.status_code == 200, response.status_code
                self.stdout.write(
                    f"{who:10} {name:12} median {statistics.median(timings) * 1000:7.1f} ms"
                    f"  queries {len(queries):2}  ({size} posts a page, {total} replies)"
                )

    @transaction.atomic
    def delete(self, topic):
        Topic.objects.filter(pk=topic.pk).update(opening_post=None, last_post=None)
        # Children before parents: parent is PROTECT.
        for depth in range(tree.MAX_DEPTH, -1, -1):
            Post.objects.filter(topic=topic, depth=depth).delete()
        topic.delete()
