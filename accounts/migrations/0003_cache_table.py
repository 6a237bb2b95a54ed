"""Create the database cache table (allauth's rate limits live in the cache)
wherever migrations run: deploys, `make run` and the test database. Does
nothing when the cache is Redis (REDIS_URL)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_profile_preferences_suspension")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
