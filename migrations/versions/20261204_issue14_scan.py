"""Rechtsbescherming-scan answers and demand signals (issue 14)

Revision ID: issue14_scan
Revises: issue11_mysterie
Create Date: 2026-12-04 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "issue14_scan"
down_revision = "issue8_truth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demand_signal",
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_code"], ["municipality.code"],
                                name=op.f("fk_demand_signal_municipality_code_municipality")),
        sa.PrimaryKeyConstraint("municipality_code", "area_code", "iso_week",
                                name=op.f("pk_demand_signal")),
    )

    op.create_table(
        "scan_answer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("criterion_id", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_code"], ["municipality.code"],
                                name=op.f("fk_scan_answer_municipality_code_municipality")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_answer")),
        sa.UniqueConstraint("municipality_code", "criterion_id",
                            name=op.f("uq_scan_answer_municipality_code")),
    )
    with op.batch_alter_table("scan_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_answer_municipality_code"),
                              ["municipality_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scan_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_answer_municipality_code"))
    op.drop_table("scan_answer")
    op.drop_table("demand_signal")
