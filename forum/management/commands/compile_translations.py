"""Build locale/<lang>/LC_MESSAGES/django.mo from each django.po.

Django's own compilemessages runs GNU gettext's msgfmt, which a new machine
may not have; polib is pure Python. `make run` and `make test` run this, so
the .mo files (never committed) always match the catalogues."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def compile_catalogues(locale_dirs) -> list[Path]:
    """Compile every django.po under the given locale directories whose .mo
    is missing or older; return the .mo files written. Missing directories
    are fine: a checkout may have no translations yet."""
    written = []
    for locale_dir in map(Path, locale_dirs):
        for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            # Fuzzy and untranslated entries are left out, as msgfmt does.
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile the translation catalogues (locale/*/LC_MESSAGES/django.po) to .mo files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Recompile even the up-to-date catalogues."
        )

    def handle(self, *args, force=False, **options):
        if force:
            for locale_dir in map(Path, settings.LOCALE_PATHS):
                for mo_path in locale_dir.glob("*/LC_MESSAGES/django.mo"):
                    mo_path.unlink()
        written = compile_catalogues(settings.LOCALE_PATHS)
        for mo_path in written:
            self.stdout.write(str(mo_path.relative_to(settings.BASE_DIR)))
        self.stdout.write(
            ngettext("%(n)d catalogue compiled.", "%(n)d catalogues compiled.", len(written))
            % {"n": len(written)}
            if written
            else _("The translation catalogues are up to date.")
        )
