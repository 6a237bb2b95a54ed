"""Links built from a URL name reversed once are those reverse() builds."""

import pytest
from django.urls import reverse, set_script_prefix

from forum.reversing import url_for


@pytest.mark.parametrize(
    "name, args",
    [
        ("forum:post", [12345]),
        ("forum:topic", [7, "what-we-learned"]),
        ("forum:topic", [7, "ما-تعلمناه"]),
        ("forum:topic", [7, "-"]),
        ("accounts:profile", ["ana.b+forum@x_y-z"]),
        ("accounts:profile", ["Zoë"]),
    ],
)
def test_url_for_matches_reverse(name, args):
    assert url_for(name, *args) == reverse(name, args=args)


def test_url_for_follows_the_script_prefix():
    set_script_prefix("/forum/")
    try:
        assert url_for("forum:post", 5) == reverse("forum:post", args=[5]) == "/forum/p/5/"
    finally:
        set_script_prefix("/")
