from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from forum.forms import MarkdownBodyField

from .models import NotificationPreference


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ScheduleForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=DateTimeLocalInput(),
        help_text=_("In your time zone. A later closing time extends or reopens the dialogue."),
    )

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The dialogue must close after it opens."))
        return data


class CloseEarlyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it closing early? (optional)"),
        max_length=500,
        required=False,
        help_text=_("Kept in the dialogue's history."),
    )


class LeaderForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    intro = forms.CharField(
        label=_("One-line introduction"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “Documents land rights cases in the north.”"),
    )

    def __init__(self, *args, dialogue=None, **kwargs):
        self.dialogue = dialogue
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active participant has that username."))
        if self.dialogue and self.dialogue.leaders.filter(user=user).exists():
            raise forms.ValidationError(_("%(name)s already leads this dialogue.") % {"name": user})
        self.cleaned_data["user"] = user
        return username


class SummaryForm(forms.Form):
    summary = MarkdownBodyField(
        label=_("Summary"),
        help_text=_(
            "Markdown. Cite a post by linking to it (its “Link”): cited posts show "
            "“Featured in the summary”."
        ),
    )
    survey_url = forms.URLField(
        label=_("Follow-up survey link"), required=False, assume_scheme="https", max_length=500
    )


class SubscriptionForm(forms.Form):
    subscribe = forms.TypedChoiceField(
        choices=[("1", _("Subscribe")), ("0", _("Unsubscribe"))], coerce=lambda v: v == "1"
    )


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_enabled", "subscribe_when_posting", "delivery", "digest_hour"]


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, topic):
        return topic.title


class ResourceFilterForm(forms.Form):
    """The Resources page's search (words in an address or a link's text)
    and its choice of one dialogue. Read from the query string."""

    q = forms.CharField(label=_("Search links"), required=False, max_length=200)
    dialogue = TopicChoiceField(
        label=_("Dialogue"), queryset=None, required=False, empty_label=_("All dialogues")
    )

    def __init__(self, data=None, *, dialogues):
        super().__init__(data)
        self.fields["dialogue"].queryset = dialogues
