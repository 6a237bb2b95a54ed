"""Choosing a language: the browser's preference for visitors, the footer's
menu (a plain form, no JavaScript) for anyone, and a signed-in member's
profile language above both; the menu changes that profile language too."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

MENU = "/u/me/language/"


def html_lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_visitor_gets_the_browsers_language_and_right_to_left_for_arabic(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert '<html lang="ar" dir="rtl">' in page.content.decode()
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="es")) == "es"


def menu_of(page) -> str:
    return page.split('<form class="language-menu"', 1)[1].split("</form>", 1)[0]


def test_every_page_has_the_language_menu_as_a_plain_form(client, member):
    menu = menu_of(client.get("/").content.decode())
    # A visitor's sets a cookie only: a GET, with no token, so the page can
    # be served from the shared cache.
    assert 'method="get"' in menu and f'action="{MENU}"' in menu
    assert "csrfmiddlewaretoken" not in menu and '<button type="submit">' in menu
    for code, local_name in (("ar", "العربيّة"), ("fr", "français"), ("es", "español")):
        assert f'<option value="{code}" lang="{code}">{local_name}</option>' in menu
    client.force_login(member)
    menu = menu_of(client.get("/").content.decode())
    assert 'method="post"' in menu and 'name="csrfmiddlewaretoken"' in menu


def test_the_menu_sets_a_visitors_language_and_returns_to_the_page(client, topic):
    response = client.get(MENU, {"language": "fr", "next": topic.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="ar")) == "fr"


def test_the_visitors_menu_goes_back_only_to_this_site(client):
    response = client.get(MENU, {"language": "es", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"
    response = client.get(MENU, {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_page_in_each_language_is_cached_apart(client, topic):
    url = topic.get_absolute_url()
    assert html_lang(client.get(url)) == "en"
    client.get(MENU, {"language": "ar", "next": url})
    assert html_lang(client.get(url)) == "ar"
    client.get(MENU, {"language": "en", "next": url})
    assert html_lang(client.get(url)) == "en"


def test_the_menu_saves_a_members_profile_language(client, member):
    client.force_login(member)
    client.post(MENU, {"language": "ar", "next": "/"})
    member.refresh_from_db()
    assert member.language == "ar"
    # Another browser, another cookie: the profile still decides.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="es")) == "ar"


def test_the_profile_language_wins_over_the_browser_and_the_cookie(client, member):
    member.language = "es"
    member.save()
    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="ar")) == "es"


def test_an_unknown_language_changes_nothing(client, member):
    client.force_login(member)
    response = client.post(MENU, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_the_menu_only_returns_to_this_site(client):
    response = client.post(MENU, {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_get_never_changes_a_members_profile(client, member):
    member.language = "es"
    member.save()
    client.force_login(member)
    client.get(MENU, {"language": "ar", "next": "/"})
    member.refresh_from_db()
    assert member.language == "es"
