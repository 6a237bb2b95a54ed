"""Which text-search configuration a text is indexed with. Posts carry no
language of their own, so it is guessed from the text: Arabic by its
script, English, French and Spanish by their commonest words; anything
else, or too short to tell, falls back to "simple" (no stemming, still
accent-free). A query is parsed in every configuration (see backends), so
a reader finds a post whatever language the guess picked."""

import re

from django.conf import settings

# PostgreSQL text-search configurations made by the migration: each the
# built-in one for the language with `unaccent` before its stemmer.
CONFIGS = {
    "en": "forum_en",
    "fr": "forum_fr",
    "es": "forum_es",
    "ar": "forum_ar",
    "simple": "forum_simple",
}

STOPWORDS = {
    "en": frozenset(
        "the and of to is in that it was for on are with as be this have not but they you".split()
    ),
    "fr": frozenset(
        "le la les et des est une un du que qui dans pour pas sur au avec ce il elle nous vous".split()
    ),
    "es": frozenset(
        "el la los las y de que en un una es por con para no se del al lo como su pero".split()
    ),
}
WORD = re.compile(r"\w+")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
# Enough evidence to prefer one language over the site's default.
MIN_HITS = 2


def offered(code: str) -> bool:
    return code in CONFIGS and code in {lang for lang, _name in settings.LANGUAGES}


def guess(text: str) -> str:
    letters = [char for char in text[:2000] if char.isalpha()]
    if not letters:
        return "simple"
    if offered("ar") and sum(1 for c in letters if ARABIC.match(c)) * 2 > len(letters):
        return "ar"
    words = [word.lower() for word in WORD.findall(text[:2000])]
    hits = {
        code: sum(1 for word in words if word in stopwords)
        for code, stopwords in STOPWORDS.items()
        if offered(code)
    }
    best = max(hits, key=hits.get, default=None)
    if best and hits[best] >= MIN_HITS and list(hits.values()).count(hits[best]) == 1:
        return best
    default = settings.LANGUAGE_CODE.split("-")[0]
    return default if offered(default) and default != "ar" else "simple"
