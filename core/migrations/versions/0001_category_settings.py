"""category settings: the first table

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category_settings",
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("settings", core.models.base.JSONType, nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("category", name=op.f("pk_category_settings")),
    )


def downgrade() -> None:
    op.drop_table("category_settings")
