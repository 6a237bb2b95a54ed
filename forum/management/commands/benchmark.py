"""The project's benchmark of the topic page and of replying (issue 10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forum_bench REDIS_URL=redis://... \\
        DEBUG=1 .venv/bin/python manage.py benchmark --posts 1000 --json /tmp/bench.json

Builds (once per size; kept for the next run) a deterministic nested topic
of --posts replies with Markdown bodies (lists, links, emphasis) by 50
authors, who follow it, and a member who has read half of it; runs ANALYZE;
then reports, for the first, a middle and the last page, anonymous (page
cache on and off) and member: queries, writes, bytes, and the in-process
median and p90 (Django's test client). Then over HTTP: gunicorn with 2 sync
workers, `wrk -t2 -c16`, req/s and p99 of the topic page and of a bare view
returning the same bytes in the same run (forum/benchmark_urls.py), and
their ratio. Last, the time to save a reply, in-process and over HTTP.
It writes to the configured database: point it at a scratch one.
"""

import contextlib
import json
import logging
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum import markup, tree
from forum.models import Category, Post, Topic, TopicRead
from forum.task_backends import wait_for_tasks

BATCH = 2_000
AUTHORS = 50
PAGE_SIZE = 20
DISTINCT_BODIES = 400
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WRITES = ("INSERT", "UPDATE", "DELETE")
# Transaction control, which Django logs on PostgreSQL outside a test's own
# transaction: not queries (the tests' budgets never see them either).
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(captured) -> list[str]:
    """The SQL statements a block ran, upper-cased, without transaction control."""
    sql = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    return [q for q in sql if not q.startswith(TRANSACTION_CONTROL)]


WORDS = (
    "dialogue listening trust neighbours council budget river housing school library "
    "transport climate market garden youth elders language memory repair bridge common "
    "ground story question evidence practice facilitation consent harm respect future"
).split()
BENCH_ENV = {
    # What the gunicorn under test needs beyond this process's environment.
    "DEBUG": "0",
    "STATIC_MANIFEST": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "FORUM_STAFF_REQUIRE_MFA": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "FORUM_PAGE_SIZE": str(PAGE_SIZE),
    "FORUM_URLCONF": "forum.benchmark_urls",
    "FORUM_REPLIES_PER_MINUTE": "0",
    "FORUM_REPLIES_PER_DAY": "0",
    "FORUM_NEW_MEMBER_REPLIES_PER_MINUTE": "0",
    "FORUM_NEW_MEMBER_REPLIES_PER_DAY": "0",
    "FORUM_DUPLICATE_POST_MINUTES": "0",
    "LOG_LEVEL": "WARNING",
}


def markdown_body(rng: random.Random) -> str:
    """A reply as people write them: a paragraph or two with emphasis and a
    link, often a list, sometimes a quote."""

    def sentence():
        words = rng.sample(WORDS, rng.randint(6, 14))
        i = rng.randrange(len(words))
        words[i] = rng.choice(["*{}*", "**{}**", "_{}_"]).format(words[i])
        return " ".join(words).capitalize() + "."

    parts = [" ".join(sentence() for _ in range(rng.randint(2, 4)))]
    if rng.random() < 0.5:
        parts.append(
            "\n".join(f"- {sentence()}" for _ in range(rng.randint(2, 4)))
            if rng.random() < 0.6
            else "\n".join(f"{n}. {sentence()}" for n in range(1, rng.randint(3, 5)))
        )
    if rng.random() < 0.2:
        parts.append(f"> {sentence()}")
    word = rng.choice(WORDS)
    parts.append(
        f"{sentence()} See [the {word} notes](https://example.org/{word}/{rng.randint(1, 999)})."
    )
    return "\n\n".join(parts)


@contextlib.contextmanager
def page_cache(on: bool):
    """The anonymous page cache as configured, or off."""
    saved = settings.FORUM_PAGE_CACHE_SECONDS
    if not on:
        settings.FORUM_PAGE_CACHE_SECONDS = 0
    try:
        yield
    finally:
        settings.FORUM_PAGE_CACHE_SECONDS = saved


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Command(BaseCommand):
    help = "Build a nested topic and measure its pages and replying (writes to the database)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1_000)
        parser.add_argument("--repeat", type=int, default=30, help="in-process requests a case")
        parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
        parser.add_argument("--replies", type=int, default=20, help="replies timed per way")
        parser.add_argument("--port", type=int, default=8340, help="this port and the next")
        parser.add_argument("--no-http", action="store_true", help="in-process only")
        parser.add_argument("--rebuild", action="store_true", help="build the topic anew")
        parser.add_argument("--json", dest="json_file", help="write the figures here")
        parser.add_argument(
            "--view",
            choices=["threaded", "flat", "new"],
            default="threaded",
            help="the reading mode of the pages measured (?view=)",
        )

    def handle(self, *args, posts, repeat, duration, replies, port, no_http, rebuild, **opts):
        self.view = opts["view"]
        if connection.vendor != "postgresql":
            self.stderr.write("Note: the figures that count are PostgreSQL's (DATABASE_URL).")
        # Measured as in production: no query log, no debug templates.
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.FORUM_PAGE_SIZE = PAGE_SIZE
        for name, value in BENCH_ENV.items():
            if name.startswith("FORUM_") and value.isdigit():
                setattr(settings, name, int(value))
        # Fan-out email goes nowhere; it is still built and stored.
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        cache.clear()
        logging.getLogger("django.tasks").setLevel(logging.WARNING)

        began = time.perf_counter()
        topic = self.topic(posts, rebuild)
        with connection.cursor() as cursor:
            # Fresh bulk inserts have no planner statistics (autovacuum is off).
            cursor.execute("ANALYZE")
        self.stdout.write(f"topic of {posts} replies ready in {time.perf_counter() - began:.1f}s")
        User = get_user_model()
        reader = User.objects.get(username="bench_reader")
        results = {
            "posts": posts,
            "page_size": PAGE_SIZE,
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            # Other work on the machine slows every figure: say how much.
            "load_average_before": [round(n, 2) for n in os.getloadavg()],
            "pages": self.measure_pages(topic, reader, repeat),
        }
        if not no_http:
            if not shutil.which("wrk"):
                raise CommandError("wrk is not installed (or pass --no-http).")
            results["http"] = self.measure_http(topic, reader, duration, replies, port)
        results["reply_in_process"] = self.measure_replies(topic, replies)
        results["load_average_after"] = [round(n, 2) for n in os.getloadavg()]
        self.report(results)
        if opts["json_file"]:
            with open(opts["json_file"], "w") as out:
                json.dump(results, out, indent=2)
            self.stdout.write(f"written to {opts['json_file']}")

    # -- building ------------------------------------------------------------

    def topic(self, count: int, rebuild: bool) -> Topic:
        title = f"Benchmark {count}"
        existing = Topic.objects.filter(title=title, category__slug="benchmark").first()
        if existing and (rebuild or existing.post_count != count + 1):
            self.delete(existing)
            existing = None
        topic = existing or self.build(count, title, random.Random(count))
        self.reset_reader(topic)
        return topic

    @transaction.atomic
    def build(self, count: int, title: str, rng: random.Random) -> Topic:
        User = get_user_model()
        people = []
        for i in range(AUTHORS):
            user, _ = User.objects.get_or_create(
                username=f"bench_author{i}",
                defaults={"display_name": f"Author {i:02d}", "email": f"author{i}@example.org"},
            )
            people.append(user)
        for name in ("bench_reader", "bench_poster"):
            user, created = User.objects.get_or_create(
                username=name, defaults={"email": f"{name}@example.org"}
            )
            if created:
                EmailAddress.objects.create(
                    user=user, email=user.email, verified=True, primary=True
                )
        category, _ = Category.objects.get_or_create(
            slug="benchmark",
            defaults={"name": "Benchmark", "topic_starters": Category.TopicStarters.MEMBERS},
        )
        topic = Topic.start(
            category=category,
            author=people[0],
            title=title,
            body="What have you **noticed** this week?\n\n- In your street\n- At work",
        )
        bodies = [markdown_body(rng) for _ in range(DISTINCT_BODIES)]
        rendered = [markup.render(body) for body in bodies]
        # [path, depth, child count, post] per post, built in memory: 30% of
        # replies answer the topic, the rest a recent post. Parents are set
        # once every row has its id.
        nodes = [[topic.opening_post.path, 0, 0, topic.opening_post]]
        parents, rows = [], []
        for i in range(count):
            if len(nodes) == 1 or rng.random() < 0.3:
                parent = nodes[0]
            else:
                parent = nodes[max(1, len(nodes) - rng.randint(1, 50))]
            if parent[1] >= tree.MAX_DEPTH:
                parent = nodes[0]
            parent[2] += 1
            n = rng.randrange(DISTINCT_BODIES)
            post = Post(
                topic=topic,
                author=people[i % AUTHORS],
                subject=f"Re: point {i}",
                body=bodies[n],
                body_html=rendered[n],
                path=tree.child_path(parent[0], parent[2]),
                depth=parent[1] + 1,
                created_at=START + timedelta(minutes=i),
            )
            nodes.append([post.path, post.depth, 0, post])
            parents.append(parent[3])
            rows.append(post)
        Post.objects.bulk_create(rows, batch_size=BATCH)
        for post, parent in zip(rows, parents, strict=True):
            post.parent_id = parent.pk
        for _path, _depth, children, post in nodes:
            post.child_count = children
        Post.objects.bulk_update(
            [node[3] for node in nodes], ["parent", "child_count"], batch_size=500
        )
        last = Post.objects.filter(topic=topic).order_by("-pk").first()
        Topic.objects.filter(pk=topic.pk).update(
            post_count=count + 1, last_post=last, last_post_at=last.created_at
        )
        if apps.is_installed("dialogues"):
            # As on a live dialogue: everyone who posted follows the topic,
            # so a reply fans out to 49 people (dialogues is above forum:
            # looked up, not imported).
            Subscription = apps.get_model("dialogues", "Subscription")
            Subscription.objects.bulk_create(
                [Subscription(user=person, topic=topic) for person in people],
                ignore_conflicts=True,
            )
        return Topic.objects.get(pk=topic.pk)

    def reset_reader(self, topic: Topic, read_all: bool = False) -> None:
        """The member has read the older half of the topic's posts (or all)."""
        ids = list(topic.posts.order_by("pk").values_list("pk", flat=True))
        reader = get_user_model().objects.get(username="bench_reader")
        watermark = ids[-1] if read_all else ids[len(ids) // 2]
        TopicRead.objects.update_or_create(
            user=reader,
            topic=topic,
            defaults={
                "last_read_post_id": watermark,
                "extra_read_ids": [],
                "extra_read_count": 0,
                "read_count": topic.posts.visible()
                .filter(pk__lte=watermark)
                .exclude(author=reader)
                .count(),
            },
        )

    @transaction.atomic
    def delete(self, topic: Topic) -> None:
        Topic.objects.filter(pk=topic.pk).update(opening_post=None, last_post=None)
        # Children before parents: parent is PROTECT.
        depth = topic.posts.order_by("-depth").values_list("depth", flat=True).first() or 0
        for level in range(depth, -1, -1):
            Post.objects.filter(topic=topic, depth=level).delete()
        topic.delete()

    # -- in-process ----------------------------------------------------------

    def in_mode(self, url: str) -> str:
        """The address in the reading mode measured (threaded: as it is)."""
        if self.view == "threaded":
            return url
        return f"{url}{'&' if '?' in url else '?'}view={self.view}"

    def page_urls(self, topic: Topic) -> dict:
        order = "path" if self.view == "threaded" else "pk"
        ordered = topic.posts.replies().order_by(order).values_list("pk", flat=True)
        middle = ordered[(topic.post_count - 1) // 2]
        url = topic.get_absolute_url()
        pages = {"first": url, "middle": f"{url}?after={middle}", "last": f"{url}?page=last"}
        return {name: self.in_mode(address) for name, address in pages.items()}

    def measure_pages(self, topic, reader, repeat) -> list:
        rows = []
        for who in ("anonymous", "anonymous-uncached", "member", "member-read-all"):
            client = Client()
            if who.startswith("member"):
                client.force_login(reader)
            with page_cache(who != "anonymous-uncached"):
                rows.extend(self.measure_cases(topic, client, who, repeat))
        self.reset_reader(topic)
        return rows

    def measure_cases(self, topic, client, who, repeat) -> list:
        rows = []
        for page, url in self.page_urls(topic).items():
            # Half the topic unread, or none: "N new" must cost the same.
            self.reset_reader(topic, read_all=who == "member-read-all")
            # "First": nothing kept yet, in the shared cache or in this
            # process (rendered posts, a page's posts and positions).
            cache.clear()
            caches["local"].clear()
            first = self.one_request(client, url)
            steady = self.one_request(client, url)
            timings, cpu = [], []
            for _ in range(repeat):
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
                assert response.status_code == 200, response.status_code
            rows.append(
                {
                    "who": who,
                    "page": page,
                    "queries_first": first["queries"],
                    "queries": steady["queries"],
                    "writes_first": first["writes"],
                    "writes": steady["writes"],
                    "bytes": steady["bytes"],
                    "median_ms": round(statistics.median(timings), 2),
                    "p90_ms": round(percentile(timings, 90), 2),
                    # This process's CPU time: what a busy machine blurs least.
                    "cpu_median_ms": round(statistics.median(cpu), 2),
                }
            )
        return rows

    def one_request(self, client, url) -> dict:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        sql = statements(captured)
        return {
            "queries": len(sql),
            "writes": sum(q.startswith(WRITES) for q in sql),
            "bytes": len(response.content),
        }

    def measure_replies(self, topic, count) -> dict:
        poster = get_user_model().objects.get(username="bench_poster")
        client = Client()
        client.force_login(poster)
        url = f"/p/{topic.opening_post_id}/reply/"
        timings, queries, made = [], [], []
        try:
            for i in range(count):
                data = {"subject": f"Timed reply {i}", "body": f"A timed reply, number {i}."}
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.post(url, data)
                    elapsed = time.perf_counter() - began
                assert response.status_code == 302, response.status_code
                timings.append(elapsed * 1000)
                queries.append(len(statements(captured)))
                # The fan-out runs on the task threads: not in the request,
                # and finished before the next one is timed.
                wait_for_tasks(60)
        finally:
            made = list(topic.posts.filter(author=poster).values_list("pk", flat=True))
            self.forget_replies(topic, made)
        return {
            "median_ms": round(statistics.median(timings), 2),
            "p90_ms": round(percentile(timings, 90), 2),
            "queries_median": statistics.median(queries),
            "queries_max": max(queries),
        }

    @transaction.atomic
    def forget_replies(self, topic, pks) -> None:
        """Take the timed replies away so the topic stays the size measured."""
        if not pks:
            return
        Post.objects.filter(pk__in=pks).delete()
        opening = topic.opening_post
        opening.child_count = opening.replies.order_by().count()
        # Child numbers are never reused: a later reply must not collide.
        Post.objects.filter(pk=opening.pk).update(
            child_count=max(opening.child_count, Post.objects.get(pk=opening.pk).child_count)
        )
        last = topic.posts.order_by("-pk").first()
        Topic.objects.filter(pk=topic.pk).update(
            post_count=topic.posts.visible().count(), last_post=last, last_post_at=last.created_at
        )

    # -- over HTTP -----------------------------------------------------------

    def measure_http(self, topic, reader, duration, replies, port) -> dict:
        client = Client()
        client.force_login(reader)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        url = self.in_mode(topic.get_absolute_url())
        pages = tempfile.mkdtemp(prefix="forum-benchmark-")
        servers = []
        try:
            with page_cache(False):
                with open(os.path.join(pages, "anonymous.html"), "wb") as out:
                    out.write(Client().get(url).content)
                with open(os.path.join(pages, "member.html"), "wb") as out:
                    out.write(client.get(url).content)
            cached = self.start_gunicorn(port, pages, {})
            servers.append(cached)
            uncached = self.start_gunicorn(port + 1, pages, {"FORUM_PAGE_CACHE_SECONDS": "0"})
            servers.append(uncached)
            base, base_off = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
            cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
            runs = {
                "anonymous": self.wrk(base + url, duration),
                "anonymous_bare": self.wrk(base + "/__benchmark__/bare/anonymous/", duration),
                "anonymous_uncached": self.wrk(base_off + url, duration),
                "member": self.wrk(base + url, duration, cookie),
                "member_bare": self.wrk(base + "/__benchmark__/bare/member/", duration, cookie),
            }
            for name in ("anonymous", "anonymous_uncached", "member"):
                bare = runs["member_bare" if name == "member" else "anonymous_bare"]
                runs[name]["ratio_to_bare"] = round(runs[name]["rps"] / bare["rps"], 3)
            runs["reply"] = self.http_replies(base, topic, replies)
        finally:
            for server in servers:
                self.stop(server)
            shutil.rmtree(pages, ignore_errors=True)
            made = topic.posts.filter(author__username="bench_poster")
            self.forget_replies(topic, list(made.values_list("pk", flat=True)))
            self.reset_reader(topic)
        return runs

    def start_gunicorn(self, port, pages, extra) -> subprocess.Popen:
        env = {**os.environ, **BENCH_ENV, "FORUM_BENCHMARK_PAGES": pages, **extra}
        # Persistent connections, as a production server runs: without them
        # every request that reads the database first opens a connection.
        env.setdefault("DATABASE_CONN_MAX_AGE", "60")
        env.setdefault("SECRET_KEY", settings.SECRET_KEY)
        # The same keys as this process, so the member's session is valid.
        env["SECRET_KEY"] = settings.SECRET_KEY
        env["MFA_ENCRYPTION_KEYS"] = ",".join(settings.MFA_ENCRYPTION_KEYS)
        log = open(os.path.join(pages, f"gunicorn-{port}.log"), "w")
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        server = subprocess.Popen(  # noqa: S603 (our own command line)
            [gunicorn, "forum.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read()  # noqa: S310
                return server
            except OSError:  # refused while it starts, or slow on a busy machine
                if server.poll() is not None:
                    break
                time.sleep(0.3)
            except BaseException:
                self.stop(server)
                raise
        self.stop(server)
        raise CommandError(f"gunicorn did not start: see {log.name}")

    def stop(self, server) -> None:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(server.pid, signal.SIGKILL)
                server.wait()

    def wrk(self, url, duration, cookie=None) -> dict:
        command = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "--timeout", "30s"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        # Warm both workers first (template and connection set-up).
        warm = [*command[:3], "-d1s", *command[7:], url]
        subprocess.run(warm, capture_output=True)  # noqa: S603 (our own command line)
        run = subprocess.run([*command, url], capture_output=True, text=True, check=True)  # noqa: S603
        out = run.stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
        p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "rps": round(rps, 1),
            "p99_ms": round(p99, 2),
            "non_2xx": int(errors.group(1)) if errors else 0,
        }

    def http_replies(self, base, topic, count) -> dict:
        """Sequential replies by a logged-in member, each a real form post."""
        poster = get_user_model().objects.get(username="bench_poster")
        client = Client()
        client.force_login(poster)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
        url = f"{base}/p/{topic.opening_post_id}/reply/"
        timings = []
        for i in range(count):
            # Only http://127.0.0.1 URLs of our own gunicorn.
            form = opener.open(urllib.request.Request(url, headers=headers))  # noqa: S310
            form = form.read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            submission = re.search(r'name="submission" value="([^"]*)"', form).group(1)
            csrf = next(c.value for c in jar if c.name == settings.CSRF_COOKIE_NAME)
            data = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "submission": submission,
                    "subject": f"HTTP reply {i}",
                    "body": f"A reply over HTTP, number {i}.",
                }
            ).encode()
            request = urllib.request.Request(  # noqa: S310
                url,
                data=data,
                headers={
                    "Cookie": f"{headers['Cookie']}; {settings.CSRF_COOKIE_NAME}={csrf}",
                    "Referer": url,
                    "Origin": base,
                },
            )
            began = time.perf_counter()
            try:
                status = opener.open(request).status
            except urllib.error.HTTPError as error:
                status = error.code
            timings.append((time.perf_counter() - began) * 1000)
            if status != 302:
                raise CommandError(f"a reply over HTTP answered {status}")
            time.sleep(0.2)  # let the workers' task threads send the fan-out
        return {
            "median_ms": round(statistics.median(timings), 2),
            "p90_ms": round(percentile(timings, 90), 2),
        }

    # -- output --------------------------------------------------------------

    def report(self, results) -> None:
        w = self.stdout.write
        w(
            f"\n{results['posts']} replies, {results['page_size']} a page, {results['database']}, "
            f"cache {results['cache']}"
        )
        w(
            f"load average before {results['load_average_before']}, after {results['load_average_after']}"
        )
        w(
            f"{'who':20} {'page':7} {'queries':>9} {'writes':>7} {'bytes':>7}"
            f" {'median':>8} {'p90':>8} {'cpu':>8}"
        )
        for row in results["pages"]:
            w(
                f"{row['who']:20} {row['page']:7} {row['queries_first']:>4}/{row['queries']:<4}"
                f" {row['writes_first']:>3}/{row['writes']:<3} {row['bytes']:>7}"
                f" {row['median_ms']:>6.1f}ms {row['p90_ms']:>6.1f}ms {row['cpu_median_ms']:>6.1f}ms"
            )
        w(
            "  (SQL statements, transaction control not counted, and writes: on a first "
            "visit with nothing kept yet / again)"
        )
        http = results.get("http")
        if http:
            w(f"\n{'over HTTP (wrk -t2 -c16)':28} {'req/s':>8} {'p99':>9} {'ratio':>7}")
            for name in (
                "anonymous",
                "anonymous_uncached",
                "anonymous_bare",
                "member",
                "member_bare",
            ):
                run = http[name]
                ratio = run.get("ratio_to_bare", "")
                w(f"{name:28} {run['rps']:>8.1f} {run['p99_ms']:>7.1f}ms {ratio!s:>7}")
            w(
                f"reply over HTTP: median {http['reply']['median_ms']} ms, "
                f"p90 {http['reply']['p90_ms']} ms"
            )
        reply = results["reply_in_process"]
        w(
            f"reply in-process: median {reply['median_ms']} ms, p90 {reply['p90_ms']} ms, "
            f"queries {reply['queries_median']} (max {reply['queries_max']})"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
