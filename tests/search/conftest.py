"""The PostgreSQL fixtures of tests/services, for the search's tests on PostgreSQL."""

from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)
