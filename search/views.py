from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .forms import SearchForm
from .query import Results, search


@require_GET
def results(request):
    form = SearchForm(request.GET or None)
    found, message, status = Results(), "", 200
    if not form.is_bound:
        pass
    elif not form.is_valid():
        status = 400
    elif not form.cleaned_data["q"]:
        message = _("Type one or more words to search for.")
    elif not form.terms():
        message = _("Your search has no words in it: search for letters or numbers.")
    else:
        found = search(
            form.terms(), user=request.user, filters=form.filters(), page=form.page_number()
        )
        if not found.hits:
            message = _("Nothing matches all of these words. Try fewer words or fewer filters.")
    context = {"form": form, "results": found, "message": message}
    if found.has_next:
        context["next_url"] = _page_url(request, found.page + 1)
    if found.has_previous:
        context["previous_url"] = _page_url(request, found.page - 1)
    return render(request, "search/results.html", context, status=status)


def _page_url(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
