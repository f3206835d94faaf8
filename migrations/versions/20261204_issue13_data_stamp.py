"""issue13 data stamp: rows whose versions move when the offer or the geography change

Revision ID: issue13_data_stamp
Revises: issue10_stewardship
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "issue13_data_stamp"
down_revision = "issue10_stewardship"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = op.create_table(
        "data_stamp",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_stamp")),
    )
    op.bulk_insert(stamp, [{"id": 1, "version": 0}, {"id": 2, "version": 0}])  # offer, geography


def downgrade() -> None:
    op.drop_table("data_stamp")
