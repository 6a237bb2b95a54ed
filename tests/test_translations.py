"""The catalogues are complete: for Arabic, Spanish and French every entry
of locale/<lang>/LC_MESSAGES/django.po is translated and none is fuzzy, the
plural forms are the language's own (six for Arabic), and makemessages would
add no string. Each language's checks skip, saying so, only while its
catalogue does not exist; the compiler is checked on a catalogue made here."""

import gettext
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from forum.management.commands.compile_translations import compile_catalogues

LOCALE = Path(settings.BASE_DIR) / "locale"
# nplurals and the rule as CLDR and GNU gettext give them.
PLURAL_FORMS = {
    "ar": 6,
    "es": 3,  # CLDR 42+: one, many (1,000,000), other
    "fr": 3,
}
LANGUAGES = sorted(PLURAL_FORMS)
# Where the project's strings are (tests, drills and the virtualenv are not).
SOURCES = ["forum", "dialogues", "accounts", "templates"]


def catalogue(language: str) -> polib.POFile:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        pytest.skip(f"{path.relative_to(settings.BASE_DIR)} does not exist yet: no catalogue")
    return polib.pofile(str(path))


def test_every_site_language_has_a_plural_rule_here():
    assert {code for code, _name in settings.LANGUAGES} - {"en"} == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_untranslated(language):
    po = catalogue(language)
    assert [entry.msgid for entry in po.untranslated_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy(language):
    po = catalogue(language)
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert "fuzzy" not in po.metadata_as_entry().flags


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_the_languages_own(language):
    po = catalogue(language)
    header = po.metadata.get("Plural-Forms", "")
    assert f"nplurals={PLURAL_FORMS[language]};" in header.replace(" ", "")
    for entry in po:
        if entry.msgid_plural and not entry.obsolete:
            assert len(entry.msgstr_plural) == PLURAL_FORMS[language], entry.msgid
    # Every count gets a form: the rule picks an index below nplurals for all n.
    expression = header.split("plural=", 1)[1].rstrip(";")
    rule = gettext.c2py(expression)
    assert {rule(n) for n in range(0, 1200)} <= set(range(PLURAL_FORMS[language]))
    if language == "ar":
        # zero, one, two, few (3-10), many (11-99), other (100-102)
        assert [rule(n) for n in (0, 1, 2, 3, 11, 100)] == [0, 1, 2, 3, 4, 5]


def extracted(language: str, tmp_path, settings, monkeypatch) -> polib.POFile:
    """What makemessages finds now. It writes next to the sources it reads
    (into the project's own locale/), so it runs on a copy of them: the real
    catalogues are never touched."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (GNU gettext) is not installed: makemessages cannot run here")
    project = tmp_path / "project"
    for name in SOURCES:
        shutil.copytree(Path(settings.BASE_DIR) / name, project / name)
    (project / "locale" / language).mkdir(parents=True)
    settings.LOCALE_PATHS = [project / "locale"]
    monkeypatch.chdir(project)
    call_command("makemessages", locale=[language], domain="django", verbosity=0)
    return polib.pofile(str(project / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_makemessages_would_add_no_string(language, tmp_path, settings, monkeypatch):
    current = {(e.msgctxt, e.msgid) for e in catalogue(language) if not e.obsolete}
    found = {(e.msgctxt, e.msgid) for e in extracted(language, tmp_path, settings, monkeypatch)}
    assert sorted(found - current, key=str) == []


def test_makemessages_finds_the_marked_strings(tmp_path, settings, monkeypatch):
    """The check above is not vacuous: extraction sees templates, Python and
    plurals, in Arabic with its six forms."""
    po = extracted("ar", tmp_path, settings, monkeypatch)
    msgids = {entry.msgid: entry for entry in po}
    assert "Skip to content" in msgids
    # Lazy strings too (model fields, choices): only _() and gettext_lazy()
    # are extracted, so an alias such as _lazy() would hide them.
    assert {"One daily digest", "stored email", "conversation leader"} <= msgids.keys()
    assert "Change language" in msgids
    assert msgids["%(counter)s new"].msgid_plural == "%(counter)s new"
    assert msgids["Day %(day)d of %(days)d"].msgid_plural
    assert "nplurals=6" in po.metadata["Plural-Forms"]


def test_the_compiler_leaves_out_fuzzy_and_untranslated_entries(tmp_path):
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    po.append(polib.POEntry(msgid="Reply", msgstr="Répondre"))
    po.append(polib.POEntry(msgid="Flag", msgstr="Drapeau", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Link", msgstr=""))
    po.append(
        polib.POEntry(
            msgid="%(n)d post",
            msgid_plural="%(n)d posts",
            msgstr_plural={0: "%(n)d message", 1: "%(n)d messages"},
        )
    )
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    po.save(str(tmp_path / "fr" / "LC_MESSAGES" / "django.po"))

    assert compile_catalogues([tmp_path, tmp_path / "absent"]) == [
        tmp_path / "fr" / "LC_MESSAGES" / "django.mo"
    ]
    with open(tmp_path / "fr" / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Reply") == "Répondre"
    assert compiled.gettext("Flag") == "Flag"  # fuzzy: not used
    assert compiled.gettext("Link") == "Link"
    assert compiled.ngettext("%(n)d post", "%(n)d posts", 3) == "%(n)d messages"
    # Up to date: not compiled again.
    assert compile_catalogues([tmp_path]) == []
