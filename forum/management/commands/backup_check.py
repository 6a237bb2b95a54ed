"""Prove that a backup restores: dump the database with pg_dump, restore the
dump with pg_restore into a scratch database, and compare the number of rows
of every table. Exits non-zero on any difference (README, "Backups").

The counts and the dump read one exported snapshot, so a site taking posts
meanwhile makes no false difference. The scratch database (its name must
contain "scratch" or "drill") is dropped and created again, then dropped at
the end unless --keep."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

TABLES_SQL = """
SELECT quote_ident(schemaname) || '.' || quote_ident(tablename)
FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1
"""


class Command(BaseCommand):
    help = (
        "Dump the database (pg_dump), restore it into a scratch database (pg_restore) "
        "and compare every table's row count; exit 1 on a difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="the database alias")
        parser.add_argument(
            "--scratch",
            help="scratch database name (must contain 'scratch' or 'drill'; "
            "default: <name>_backup_scratch)",
        )
        parser.add_argument(
            "--bin-dir", default="", help="where pg_dump and pg_restore are (default: PATH)"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database afterwards"
        )

    def handle(self, *args, database, scratch, bin_dir, keep, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                "backup_check needs PostgreSQL (DATABASE_URL=postgres://...); "
                f"this database is {connection.vendor}. An SQLite database is one file: "
                "back it up with `sqlite3 db.sqlite3 '.backup backup.sqlite3'`."
            )
        self.params = connection.settings_dict
        self.bin_dir = bin_dir
        source = self.params["NAME"]
        scratch = scratch or f"{source}_backup_scratch"
        if not re.fullmatch(r"[A-Za-z0-9_]+", scratch) or not re.search("scratch|drill", scratch):
            raise CommandError(
                f"Refusing to overwrite {scratch!r}: a scratch database's name has "
                "'scratch' or 'drill' in it (letters, digits and _ only)."
            )
        if scratch == source:
            raise CommandError("The scratch database cannot be the database itself.")

        with tempfile.TemporaryDirectory(prefix="backup-check-") as directory:
            dump = Path(directory) / f"{source}.dump"
            snapshot_holder = self.connect(source)
            try:
                snapshot_holder.set_session(isolation_level="REPEATABLE READ", readonly=True)
                with snapshot_holder.cursor() as cursor:
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                expected = self.row_counts(snapshot_holder)
                self.run_tool("pg_dump", "--format=custom", f"--snapshot={snapshot}",
                              f"--file={dump}", source)  # fmt: skip
            finally:
                snapshot_holder.close()
            self.stdout.write(
                f"Dumped {source}: {dump.stat().st_size:,} bytes, {len(expected)} tables"
            )
            self.recreate(scratch)
            try:
                self.restore(dump, scratch)
                restored_connection = self.connect(scratch)
                try:
                    restored = self.row_counts(restored_connection)
                finally:
                    restored_connection.close()
            finally:
                if not keep:
                    self.drop(scratch)

        differences = []
        for table in sorted(set(expected) | set(restored)):
            want, got = expected.get(table), restored.get(table)
            line = f"  {table}: {want if want is not None else 'missing'}"
            if want != got:
                differences.append(table)
                line += f" -> restored {got if got is not None else 'missing'}"
            self.stdout.write(line)
        if differences:
            raise CommandError(
                f"The restored copy differs in {len(differences)} table(s): {', '.join(differences)}"
            )
        total = sum(expected.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored into {scratch}: every table matches ({len(expected)} tables, "
                f"{total:,} rows){'; kept' if keep else '; dropped'}"
            )
        )

    # The steps, one method each (a test makes the restore lose a row).

    def restore(self, dump: Path, scratch: str) -> None:
        self.run_tool("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                      f"--dbname={scratch}", str(dump))  # fmt: skip

    def row_counts(self, db) -> dict[str, int]:
        with db.cursor() as cursor:
            cursor.execute(TABLES_SQL)
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                # Names from pg_tables, quoted by quote_ident.
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
        return counts

    def connect(self, name: str):
        return psycopg2.connect(
            dbname=name,
            host=self.params["HOST"] or None,
            port=self.params["PORT"] or None,
            user=self.params["USER"] or None,
            password=self.params["PASSWORD"] or None,
        )

    def recreate(self, name: str) -> None:
        self.drop(name)
        self.admin(f'CREATE DATABASE "{name}"')

    def drop(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def admin(self, statement: str) -> None:
        db = self.connect("postgres")
        db.autocommit = True
        try:
            with db.cursor() as cursor:
                cursor.execute(statement)
        finally:
            db.close()

    def run_tool(self, tool: str, *args: str) -> None:
        program = str(Path(self.bin_dir) / tool) if self.bin_dir else shutil.which(tool)
        if not program or not Path(program).exists():
            raise CommandError(f"{tool} not found: install the PostgreSQL client or pass --bin-dir")
        # The password goes in the environment, never on a command line others can read.
        env = os.environ | {
            name: str(value)
            for name, value in {
                "PGHOST": self.params["HOST"],
                "PGPORT": self.params["PORT"],
                "PGUSER": self.params["USER"],
                "PGPASSWORD": self.params["PASSWORD"],
            }.items()
            if value
        }
        result = subprocess.run(  # noqa: S603 (PostgreSQL's own tools, our arguments)
            [program, *args], env=env, capture_output=True, text=True, timeout=3600
        )
        if result.returncode:
            raise CommandError(f"{tool} failed: {result.stderr.strip()[-2000:]}")
