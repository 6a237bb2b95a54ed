from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Category, Topic

from .query import MAX_PAGES, Filters, words

MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    """Everything the search page reads from its query string."""

    q = forms.CharField(
        label=_("Search for"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        help_text=_("Posts that contain all of these words, in any form (rivers, river)."),
        error_messages={
            "max_length": _(
                "Keep the search under %(limit_value)d characters (it has %(show_value)d)."
            ),
            "null_characters_not_allowed": _("Remove the null character (U+0000)."),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ModelChoiceField(
        label=_("Series or section"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    topic = forms.ModelChoiceField(
        label=_("Dialogue"),
        queryset=Topic.objects.scheduled().order_by("-opens_at"),
        required=False,
        empty_label=_("All"),
    )
    author = forms.CharField(
        label=_("Written by (user name)"), max_length=150, required=False, strip=True
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    has_summary = forms.BooleanField(label=_("Only dialogues with a summary"), required=False)
    only_summaries = forms.BooleanField(label=_("Only summaries"), required=False)
    only_leaders = forms.BooleanField(label=_("Only conversation leaders"), required=False)
    page = forms.IntegerField(
        min_value=1,
        max_value=MAX_PAGES,
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "max_value": _(
                "Results stop at page %(limit_value)s: add a word or a filter to narrow them."
            ),
            "min_value": _("Pages start at 1."),
            "invalid": _("The page must be a number."),
        },
    )

    def clean_author(self):
        name = self.cleaned_data["author"]
        if not name:
            return None
        author = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
        if author is None:
            raise forms.ValidationError(
                _("No member has the user name “%(name)s”."), params={"name": name}
            )
        return author

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date comes before the start date."))
        return data

    def terms(self) -> list[str]:
        return words(self.cleaned_data.get("q") or "")

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            category=data.get("category"),
            topic=data.get("topic"),
            author=data.get("author"),
            since=_start_of(data.get("since")),
            before=_start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
            has_summary=data.get("has_summary", False),
            only_summaries=data.get("only_summaries", False),
            only_leaders=data.get("only_leaders", False),
        )

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1


def _start_of(day):
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))
