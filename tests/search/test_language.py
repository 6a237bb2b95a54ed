import pytest

from search.language import guess


@pytest.mark.parametrize(
    "text, language",
    [
        ("The rivers were flooding and the archives were in the basement.", "en"),
        ("Les élèves étudiaient la sécurité des données dans le café.", "fr"),
        ("Los niños aprendían canciones en la escuela y con sus familias.", "es"),
        ("نحن نوثق الشهادات في المجتمع", "ar"),
        ("", "simple"),
        ("1234 5678", "simple"),
    ],
)
def test_the_language_of_a_text_is_guessed(text, language):
    assert guess(text) == language


def test_too_little_to_tell_falls_back_to_the_site_language(settings):
    settings.LANGUAGE_CODE = "fr"
    assert guess("Kayak") == "fr"
    settings.LANGUAGE_CODE = "de"  # not offered: no stemming
    assert guess("Kayak") == "simple"
