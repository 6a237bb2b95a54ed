from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import markup
from .models import Flag


class MarkdownBodyField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 10})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Message"))
        kwargs.setdefault("max_length", settings.FORUM_MAX_BODY_LENGTH)
        kwargs.setdefault(
            "help_text",
            _("Markdown: *emphasis*, **bold**, [link](https://example.org), lists with -."),
        )
        # strip=False: leading spaces matter in Markdown (code, nested lists).
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
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


class PostForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=settings.FORUM_MAX_SUBJECT_LENGTH)
    body = MarkdownBodyField()


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=settings.FORUM_MAX_SUBJECT_LENGTH)
    body = MarkdownBodyField(
        label=_("Opening post"),
        help_text=_("Introduce the topic and list the guiding questions (Markdown)."),
    )


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
