"""The session list keeps browser and time only: forget the IP addresses
allauth recorded before (accounts/models.py keeps new ones out)."""

from django.db import migrations


def forget_ips(apps, schema_editor):
    # The column is NOT NULL: "no address", as accounts.models.NO_IP_ADDRESS.
    apps.get_model("usersessions", "UserSession").objects.update(ip="0.0.0.0")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_encrypt_mfa_secrets"),
        ("usersessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_ips, migrations.RunPython.noop)]
