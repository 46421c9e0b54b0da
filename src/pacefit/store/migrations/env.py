"""Alembic's entry point: migrations run on the connection `Store` hands over, never on a URL
of their own (so one transaction holds the whole upgrade)."""

from alembic import context

from pacefit.store.schema import metadata

connection = context.config.attributes["connection"]
# batch mode: SQLite alters a table by copying it, which later migrations will need
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
