"""What every drill shares: the server's environment, a fresh database,
accounts made with the ORM, gunicorn started and stopped by its PID, and a
small browser-like HTTP client (cookies, CSRF, the real forms).

A drill is a Django process itself (the same settings as the gunicorn it
starts), so it prepares data and checks the outcome with the ORM. Every loop
is bounded and every drill has an overall timeout (DRILL_TIMEOUT)."""

import base64
import html.parser
import http.cookiejar
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get(
    "DRILL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forum_drill"
)
PORT = int(os.environ.get("DRILL_PORT", "8300"))
TIMEOUT = int(os.environ.get("DRILL_TIMEOUT", "240"))
PASSWORD = "drill-password-" + secrets.token_hex(8)
SECRET_KEY = "drill-" + secrets.token_hex(32)
# A Fernet key (32 random bytes, URL-safe base64) for the two-factor secrets.
MFA_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


class DrillFailed(Exception):
    pass


def server_env(database_url: str = DATABASE_URL, **extra) -> dict:
    """The environment of the server under drill: production settings
    (DEBUG off, staff MFA on), served over plain http on 127.0.0.1."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EMAIL_", "TASKS_", "REDIS_", "DATABASE_"))
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "STATIC_MANIFEST": "0",  # no collectstatic for a drill
        "SESSION_COOKIE_SECURE": "0",  # plain http on 127.0.0.1
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "MFA_ENCRYPTION_KEYS": MFA_KEY,
        # A drill measures correctness under load, not the per-member limits
        # (tests/forum/test_limits.py does): its members post faster than
        # anyone may.
        "FORUM_REPLIES_PER_MINUTE": "0",
        "FORUM_REPLIES_PER_DAY": "0",
        "FORUM_NEW_MEMBER_REPLIES_PER_MINUTE": "0",
        "FORUM_NEW_MEMBER_REPLIES_PER_DAY": "0",
    }
    return env | extra


def setup_django(env: dict) -> None:
    """Make this process a Django process with the server's settings."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "forum.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database(database_url: str) -> None:
    """Drop and create the drill's database (never any other), then migrate."""
    import psycopg2

    url = urllib.parse.urlparse(database_url)
    name = url.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or "drill" not in name:
        raise DrillFailed(
            f"refusing to recreate {name!r}: a drill database has 'drill' in its name"
        )
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_people(n: int, prefix: str = "p", *, follow_when_posting: bool = False):
    """n verified participants who can log in with PASSWORD (one hash for
    all: hashing is slow on purpose), joined a week ago."""
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from dialogues.models import NotificationPreference

    User = get_user_model()
    hashed = make_password(PASSWORD)
    joined = timezone.now() - timedelta(days=7)
    people = []
    for i in range(n):
        username = f"{prefix}{i}"
        user = User.objects.create(
            username=username, email=f"{username}@drill.test", password=hashed, date_joined=joined
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        NotificationPreference.objects.create(user=user, subscribe_when_posting=follow_when_posting)
        people.append(user)
    return people


def make_topic(title: str = "Drill topic"):
    """A topic opened by a facilitator of its category."""
    from forum.models import Category, FacilitatorAssignment, Topic

    category, _ = Category.objects.get_or_create(slug="drills", defaults={"name": "Drills"})
    (facilitator,) = make_people(1, prefix=f"facilitator-{Topic.objects.count()}-")
    FacilitatorAssignment.objects.create(user=facilitator, category=category)
    return Topic.start(category=category, author=facilitator, title=title, body="What happened?")


# Processes ------------------------------------------------------------------


class Gunicorn:
    """gunicorn on 127.0.0.1:PORT with the given environment; stopped by
    its PID (SIGTERM, then SIGKILL), never by name."""

    def __init__(self, env: dict, log: Path, workers: int = 3, port: int = PORT):
        self.env, self.log, self.workers, self.port = env, log, workers, port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = start(
            [
                str(VENV_BIN / "gunicorn"),
                "forum.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                "--timeout=30",
                "--graceful-timeout=10",
            ],
            self.env,
            self.log,
        )
        wait_until(lambda: status_of(self.url + "/") == 200, 40, "gunicorn to answer")
        return self

    def __exit__(self, *exc_info):
        stop(self.process)


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        # The drills' own fixed commands, never input.
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def stop(process: subprocess.Popen | None, grace: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    result = subprocess.run(  # noqa: S603 (manage.py with the drill's own arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise DrillFailed(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def wait_until(condition, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise DrillFailed(f"timed out after {timeout} s waiting for {what}")


# HTTP -----------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes, seconds: float):
        self.status, self.headers, self.seconds = status, headers, seconds
        self.text = body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http://127.0.0.1)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class Browser:
    """One person's browser: its own cookies; submits the site's real forms
    with every hidden field they carry (CSRF and any other token)."""

    def __init__(self, base_url: str, host: str | None = None):
        # host: the Host header a reverse proxy would send to every node.
        self.base_url, self.host = base_url, host
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects
        )

    def request(self, path: str, data: dict | None = None, timeout: float = 60) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 (http://127.0.0.1)
        if self.host:
            request.add_header("Host", self.host)
        if data is not None:
            request.add_header("Referer", self.base_url + path)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Response(response.status, response.headers, response.read(), _since(started))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read(), _since(started))

    def form(self, path: str, action: str | None = None) -> dict | None:
        """The named fields of the form on `path` that posts to `action`;
        None when the page is refused (403)."""
        page = self.request(path)
        if page.status == 403:
            return None
        if page.status != 200:
            raise DrillFailed(f"GET {path}: {page.status}")
        forms = _Forms()
        forms.feed(page.text)
        for form_action, fields in forms.found:
            # A form without an action posts to its own page.
            if (form_action or path) == (action or path):
                return fields
        raise DrillFailed(f"no form posting to {action or path} on {path}")

    def submit(self, path: str, values: dict, action: str | None = None) -> Response | None:
        """Fill in and post the form; None when the form page was refused."""
        fields = self.form(path, action)
        return None if fields is None else self.request(action or path, fields | values)

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        path = "/accounts/login/"
        response = self.submit(path, {"login": username, "password": password})
        if response is None or response.status != 302:
            raise DrillFailed(f"{username} could not log in")


def _since(started: float) -> float:
    return time.monotonic() - started


class _Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self._fields: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.found.append((attrs.get("action") or "", self._fields))
        elif self._fields is not None and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("submit", "checkbox", "radio"):
                self._fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None


def in_parallel(function, items, threads: int = 8) -> list:
    """function(item) for every item, a few at a time; results in order."""
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(function, items, timeout=TIMEOUT))


def logged_in(base_url: str, people) -> list[Browser]:
    def log_in(person):
        browser = Browser(base_url)
        browser.log_in(person.username)
        return browser

    return in_parallel(log_in, people)


def reply_path(post_id: int) -> str:
    return f"/p/{post_id}/reply/"


def posted_id(response: Response) -> int | None:
    """The new post's id when the reply was accepted (a redirect to /p/<id>/)."""
    found = re.fullmatch(r"/p/(\d+)/", urllib.parse.urlparse(response.location).path)
    return int(found.group(1)) if response.status == 302 and found else None


# Reporting ------------------------------------------------------------------


def seconds(values) -> str:
    values = sorted(values)
    if not values:
        return "none"
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {values[-1] * 1000:.0f} ms (n={len(values)})"
    )


class Checks:
    """Collects the drill's figures and verdicts; exit status 1 if any failed."""

    def __init__(self, name: str):
        self.name, self.failures = name, []

    def figure(self, label: str, value) -> None:
        print(f"  {label}: {value}", flush=True)

    def check(self, label: str, ok: bool, detail="") -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {label}{f' ({detail})' if detail else ''}", flush=True)
        if not ok:
            self.failures.append(label)

    def exit(self) -> None:
        verdict = "passed" if not self.failures else f"FAILED: {'; '.join(self.failures)}"
        print(f"{self.name} drill {verdict}", flush=True)
        sys.exit(1 if self.failures else 0)


@contextmanager
def time_limit(seconds: int = TIMEOUT):
    """Fail the drill, running every cleanup on the way out, past `seconds`."""

    def expired(signum, frame):
        raise DrillFailed(f"the drill ran past its {seconds} s limit")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(name: str, drill) -> None:
    """Run drill(checks) with the time limit; report and exit."""
    print(f"== {name} drill", flush=True)
    checks = Checks(name)
    try:
        with time_limit():
            drill(checks)
    except DrillFailed as error:
        checks.check("completed", False, str(error))
    checks.exit()
