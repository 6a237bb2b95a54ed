import datetime
import zoneinfo

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import DeletionMode, User, normalize_display_name, validate_display_name_characters

RESERVED_NAMES = {"former participant"}


def time_zone_choices():
    # Each zone's label is its name: the widget then writes it once
    # (<option>Asia/Tokyo), which keeps the profile page light.
    return [("", _("Site default (%(zone)s)") % {"zone": settings.TIME_ZONE})] + [
        (zone, zone) for zone in sorted(zoneinfo.available_timezones())
    ]


class CompactSelect(forms.Select):
    """A <select> of some 600 time zones in a third of the bytes: options
    whose value is their text carry no value attribute and no end tag."""

    # In the app (not templates/): the form renderer reads app templates only.
    template_name = "accounts/widgets/compact_select.html"


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "Public: it is part of your profile address. A pseudonym is fine; "
            "real names are never required."
        )
        self.fields["email"].help_text = _("Never shown to other members.")

    def try_save(self, request):
        # A new address costs a password hash (set_password); an address that
        # has an account gets only an email saying so. Hashing here too makes
        # both answers take the same time, so timing tells no one who is a member.
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, required=False, widget=CompactSelect
    )
    language = forms.ChoiceField(label=_("Preferred language"), required=False)

    class Meta:
        model = User
        fields = [
            "display_name",
            "affiliation",
            "role_line",
            "bio",
            "time_zone",
            "language",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, as in the footer's menu.
        self.fields["language"].choices = [("", _("Browser default"))] + [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]

    def clean_display_name(self):
        raw = self.cleaned_data["display_name"]
        name = normalize_display_name(raw)
        validate_display_name_characters(name)
        if not name:
            return name
        others = User.objects.exclude(pk=self.instance.pk)
        if name.casefold() in RESERVED_NAMES:
            raise forms.ValidationError(_("This name is reserved. Please choose another."))
        if others.filter(display_name__iexact=name, is_active=True).exists():
            raise forms.ValidationError(
                _("Someone already uses this display name. Please choose another.")
            )
        if others.filter(username__iexact=name).exists():
            raise forms.ValidationError(
                _("This is another member's username. Please choose another name.")
            )
        return name


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Suspended until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The suspension ends at the start of this day."),
    )
    reason = forms.CharField(
        label=_("Reason (shown to the person)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_until(self):
        day = self.cleaned_data["until"]
        until = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        if until <= timezone.now():
            raise forms.ValidationError(_("Choose a date in the future."))
        return until


class DeleteAccountForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What should happen to your posts?"),
        choices=DeletionMode.choices,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that deleting my account is permanent and cannot be undone."),
    )
