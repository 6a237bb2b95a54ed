"""In production (STATIC_MANIFEST on, after collectstatic) the stylesheets
have hashed names, are sent compressed, and are cached for a year; the pages
link the hashed names and load no web font."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
YEAR = 365 * 24 * 3600


@pytest.fixture
def collected(tmp_path):
    root = tmp_path / "staticfiles"
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=MANIFEST_STORAGES,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def serve(path, **headers):
    middleware = WhiteNoiseMiddleware(lambda request: pytest.fail(f"not a static file: {path}"))
    return middleware(RequestFactory().get(path, **headers))


def test_stylesheets_are_hashed_compressed_and_cached_for_a_year(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for name in ("css/forum.css", "css/dialogues.css"):
        hashed = manifest[name]
        assert hashed != name and Path(hashed).stem.startswith(Path(name).stem + ".")
        response = serve(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
        assert max_age >= YEAR
        assert "immutable" in response["Cache-Control"]
        compressed = b"".join(response.streaming_content)
        assert len(compressed) < (collected / hashed).stat().st_size / 2


def test_pages_link_the_hashed_stylesheets_and_no_font(collected, rf):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    html = render_to_string("404.html", request=rf.get("/"))
    assert f"/static/{manifest['css/forum.css']}" in html
    for css in collected.glob("css/*.css"):
        text = css.read_text()
        assert "@font-face" not in text and "@import" not in text
