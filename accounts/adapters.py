"""allauth adapters: where the site changes what allauth does."""

from allauth.mfa.adapter import DefaultMFAAdapter

from . import mfa_crypto


class MFAAdapter(DefaultMFAAdapter):
    """allauth calls these for every TOTP secret and recovery-code seed it
    stores or reads, so none is kept in clear in the database."""

    def encrypt(self, text: str) -> str:
        return mfa_crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_crypto.decrypt(encrypted_text)
