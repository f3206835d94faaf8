"""Truth in every result: target group, status note, opening hours and notes (issue 8)

Revision ID: issue8_truth
Revises: issue11_mysterie
Create Date: 2026-12-04 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "issue8_truth"
down_revision = "issue11_mysterie"
branch_labels = None
depends_on = None

COLUMNS = ("target_group", "status_note", "opening_hours", "public_note", "curator_note")


def upgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
