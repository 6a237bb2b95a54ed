"""Encrypt the two-factor secrets stored in clear before MFA_ENCRYPTION_KEYS
existed (see accounts/mfa_crypto.py)."""

from django.db import migrations


def encrypt(apps, schema_editor):
    from accounts.mfa_crypto import reencrypt_authenticators

    reencrypt_authenticators(apps.get_model("mfa", "Authenticator"))


def decrypt(apps, schema_editor):
    from accounts.mfa_crypto import reencrypt_authenticators

    reencrypt_authenticators(apps.get_model("mfa", "Authenticator"), reverse=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_notification_preferences_move_to_dialogues"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
