"""Plans remember which version of themselves their kept scores are of.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # empty on a log made before: its scores are of an unknown version, so scored again once
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("scored_against", sa.String(64)))


def downgrade() -> None:
    # SQLite drops a column by copying the table: with foreign keys on, the scores would go
    # with the old one (they are a cache: scored again when the log is next shown)
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("scored_against")
