"""A page that asks for a CSRF token, behind the anonymous page cache."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path

from forum import page_cache

calls = []


@page_cache.cached_for_anonymous(lambda request: ({}, lambda: None))
def form_page(request):
    calls.append(1)
    return HttpResponse(f'<input name="token" value="{get_token(request)}">')


urlpatterns = [path("form/", form_page), path("", include("forum.urls"))]
