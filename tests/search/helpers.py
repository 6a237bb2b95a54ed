import re

from django.db import connection
from django.urls import reverse

HIT = re.compile(r'<li class="search-hit[^"]*">\s*<h3><a href="([^"]+)"')
SNIPPET = re.compile(r'<p class="search-snippet" dir="auto">(.*?)</p>', re.S)

on_postgres = connection.vendor == "postgresql"


def search_page(client, q="", **params):
    return client.get(reverse("search:results"), {"q": q, **params})


def hit_urls(client, q, **params) -> list[str]:
    response = search_page(client, q, **params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return HIT.findall(response.content.decode())


def snippets(client, q, **params) -> list[str]:
    return SNIPPET.findall(search_page(client, q, **params).content.decode())
