import pytest

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/login/code/",
]
MEMBER_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/sessions/",
    "/u/me/profile/",
    "/u/me/data/",
]


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_entrance_pages_use_the_site_layout(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "css/forum.css" in html


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_account_management_pages_use_the_site_layout_with_settings_menu(client, member, url):
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'class="settings-nav"' in html


@pytest.mark.parametrize("url", ANONYMOUS_PAGES + MEMBER_PAGES)
def test_no_page_loads_anything_from_another_site(client, member, url):
    if url in MEMBER_PAGES:
        client.force_login(member)
    html = client.get(url).content.decode()
    for attribute in ('src="http', 'src="//', 'href="http', 'href="//'):
        assert attribute not in html
