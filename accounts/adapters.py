"""allauth adapters: where the site changes what allauth does."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site

from dialogues.notifications import queue_message

from . import mfa_crypto


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """As allauth renders it, but queued: no request (signup, login by
        code, password reset) waits on the mail server, as with every other
        email of the site. One lookup whether or not the address has an
        account, so the work stays the same either way."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        recipient = get_user_model().objects.filter(email__iexact=email).first()
        queue_message(message, recipient=recipient)


class MFAAdapter(DefaultMFAAdapter):
    """allauth calls these for every TOTP secret and recovery-code seed it
    stores or reads, so none is kept in clear in the database."""

    def encrypt(self, text: str) -> str:
        return mfa_crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_crypto.decrypt(encrypted_text)
