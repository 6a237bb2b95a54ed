import pytest
from django.db import connections
from django.db.utils import load_backend

from forum import db_router


@pytest.fixture
def mirror(transactional_db, monkeypatch):
    """A replica, `replica_0`: the test database under a second connection,
    as DATABASES' TEST MIRROR makes it. It sees what the test committed, so
    the test needs transactional_db; its queries are counted apart from the
    primary's. Made here rather than in DATABASES, where every test of the
    suite would read through it."""
    alias = "replica_0"
    settings_dict = dict(connections["default"].settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": "default"}
    replica = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    setattr(connections._connections, alias, replica)
    monkeypatch.setattr(db_router, "replica_aliases", lambda: [alias])
    monkeypatch.setattr(db_router, "_health", {})
    try:
        yield alias
    finally:
        replica.close()
        delattr(connections._connections, alias)
