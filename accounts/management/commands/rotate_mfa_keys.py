"""Re-encrypt every stored two-factor secret with the first key of
MFA_ENCRYPTION_KEYS. To rotate: put the new key first (keeping the old one
after it), restart, run this, then remove the old key."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from accounts.mfa_crypto import reencrypt_authenticators


class Command(BaseCommand):
    help = "Re-encrypt two-factor secrets with the first key of MFA_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        rewritten = reencrypt_authenticators(Authenticator)
        total = Authenticator.objects.count()
        self.stdout.write(
            ngettext(
                "Re-encrypted %(rewritten)d of %(total)d two-factor authenticator "
                "with the first key; the others needed no change.",
                "Re-encrypted %(rewritten)d of %(total)d two-factor authenticators "
                "with the first key; the others needed no change.",
                total,
            )
            % {"rewritten": rewritten, "total": total}
        )
