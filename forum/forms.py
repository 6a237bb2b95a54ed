from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import limits, markup
from .models import Flag
from .text import validate_no_bidi_formatting

# "10,000" in English, "10 000" in French: formatted when shown, in the
# reader's language.
_number = lazy(lambda value: number_format(value, force_grouping=True), str)


class MarkdownBodyField(forms.CharField):
    """A Markdown body, at most FORUM_MAX_BODY_LENGTH characters (the limit
    that bounds what rendering one post costs, see forum/markup.py).

    The limit is checked here and said in the help text, not put on the
    textarea as `maxlength`: a browser silently cuts pasted text at that
    length, where this field says what is wrong and keeps every character."""

    widget = forms.Textarea(attrs={"rows": 10, "dir": "auto"})

    def __init__(self, *, max_length=None, help_text=None, **kwargs):
        kwargs.setdefault("label", _("Message"))
        if help_text is None:
            help_text = _(
                "Markdown: *emphasis*, **bold**, [link](https://example.org), lists with -."
            )
        # strip=False: leading spaces matter in Markdown (code, nested lists).
        super().__init__(strip=False, **kwargs)
        # Set after CharField's __init__ so that it adds neither a maxlength
        # attribute nor its own shorter message.
        self.max_length = max_length or settings.FORUM_MAX_BODY_LENGTH
        self.help_text = format_lazy(
            "{} {}", help_text, format_lazy(_("At most {} characters."), _number(self.max_length))
        )

    def clean(self, value):
        value = super().clean(value)
        if len(value) > self.max_length:
            # Before anything parses it: over-long text costs nothing to refuse.
            raise forms.ValidationError(
                format_lazy(
                    _(
                        "This message has {length} characters; a post can have at most "
                        "{limit}. Shorten it, or split it into two posts."
                    ),
                    length=_number(len(value)),
                    limit=_number(self.max_length),
                ),
                code="max_length",
            )
        if not value.strip():
            raise forms.ValidationError(_("Write a message before posting."), code="required")
        if markup.too_deeply_nested(value):
            raise forms.ValidationError(
                _(
                    "Lists and quotes in this message are nested too deeply to show. "
                    "Please flatten them to fewer levels."
                ),
                code="too_deep",
            )
        return value


def subject_field(label):
    return forms.CharField(
        label=label,
        max_length=settings.FORUM_MAX_SUBJECT_LENGTH,
        validators=[validate_no_bidi_formatting],
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


class SubmittedOnce(forms.Form):
    """A form that creates or changes a post once, however often it is sent:
    each unbound form carries a fresh token (see limits.save_once)."""

    submission = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{0,64}$",
        required=False,
        initial=limits.new_token,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This form has expired: please send it again.")},
    )

    def content(self) -> dict:
        """What the model method takes: everything but the token."""
        return {name: value for name, value in self.cleaned_data.items() if name != "submission"}


class PostForm(SubmittedOnce):
    subject = subject_field(_("Subject"))
    body = MarkdownBodyField()

    field_order = ["subject", "body"]


class TopicForm(SubmittedOnce):
    title = subject_field(_("Title"))
    body = MarkdownBodyField(
        label=_("Opening post"),
        help_text=_("Introduce the topic and list the guiding questions (Markdown)."),
    )

    field_order = ["title", "body"]


class ReasonForm(forms.Form):
    """The optional reason given with a lock, hide or restore."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        help_text=_(
            "Shown to the post's author, the facilitators and the moderators, "
            "and kept in the moderation log."
        ),
    )


class LockForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        help_text=_("Participants see it above the topic; it is kept in the moderation log."),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only facilitators and moderators read this. Required for “Other”."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("text", "").strip():
            self.add_error("text", _("Tell the moderators what is wrong with this post."))
        return cleaned


class ResolveFlagForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("hide", _("Hide the post")), ("dismiss", _("Dismiss the flags"))],
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)
