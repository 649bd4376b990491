"""Security audit (issue 20): a revision waits beside the accepted offer it revises

A provider revising an ACCEPTED offer no longer supersedes it at once: the accepted offer (and
the signed IPA drawn from it) stays as it is until the LA accepts the revision (contract
section 9). So one provider may hold one SUBMITTED and one ACCEPTED offer on a referral at the
same time, never two of either: the live-offer index now includes the status.

People who leave (contract section 15): ``user_sessions.last_seen_at`` for the idle timeout,
``api_tokens.expires_at`` (tokens expire).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('SUBMITTED', 'ACCEPTED')"


def upgrade() -> None:
    op.add_column(
        "user_sessions", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("uq_offers_live_per_provider", table_name="offers")
    op.create_index(
        "uq_offers_live_per_provider",
        "offers",
        ["referral_id", "provider_id", "status"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_column("api_tokens", "expires_at")
    op.drop_column("user_sessions", "last_seen_at")
    op.drop_index("uq_offers_live_per_provider", table_name="offers")
    op.create_index(
        "uq_offers_live_per_provider",
        "offers",
        ["referral_id", "provider_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
