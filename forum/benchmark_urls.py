"""The site's URLs plus one bare view, mounted only in the gunicorn that
`manage.py benchmark` starts (FORUM_URLCONF=forum.benchmark_urls): it
returns the bytes of a page the benchmark saved, through the same
middleware, so "req/s of the page / req/s of the bare view" says how much
of the ceiling the page reaches."""

import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from .urls import urlpatterns as site_patterns

# Where the benchmark wrote the pages' bytes (one file per name).
PAGES = Path(os.environ.get("FORUM_BENCHMARK_PAGES", "/nonexistent"))
_bodies: dict[str, bytes] = {}


def bare(request, name):
    if name not in _bodies:
        file = PAGES / f"{name}.html"
        if not name.isidentifier() or not file.is_file():
            raise Http404
        _bodies[name] = file.read_bytes()
    return HttpResponse(_bodies[name])


urlpatterns = [path("__benchmark__/bare/<str:name>/", bare), *site_patterns]
