"""offers.decided_by_api_token_id: an LA's system (API token) may accept or decline offers

API tokens act with the LA_CASEWORKER role (contract section 3), so an LA's case-management
system decides offers too; the offer records which token did, as it records the person.
A plain column, not a foreign key: SQLite adds a constraint only by rebuilding the table, and
tokens are revoked, never deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("offers", sa.Column("decided_by_api_token_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("offers", "decided_by_api_token_id")
