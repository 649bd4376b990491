"""sufficiency: vacancies, response deadlines, coded decline reasons

Homes carry their provider's vacancy declaration; providers may have referrals declined
automatically when no matching home has a vacancy; local authorities set the hours providers
have to respond by urgency; referrals carry ``respond_by``; declines of referrals and offers
carry a ``DeclineReasonCode``; an offer records whether its home had a current vacancy.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAMP = core.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("homes") as batch:
        batch.add_column(sa.Column("vacancy_beds_free", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("vacancy_available_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("vacancy_confirmed_at", _STAMP, nullable=True))
        batch.add_column(sa.Column("vacancy_reminded_at", _STAMP, nullable=True))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column(
                "auto_decline_without_vacancy",
                sa.Boolean(),
                server_default=sa.text("false"),
                nullable=False,
            )
        )
        batch.add_column(sa.Column("response_hours", sa.JSON(), nullable=True))
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("first_sent_at", _STAMP, nullable=True))
        batch.add_column(sa.Column("respond_by", _STAMP, nullable=True))
        batch.add_column(sa.Column("deadline_reported_at", _STAMP, nullable=True))
        batch.create_index("ix_referrals_first_sent_at", ["first_sent_at"], unique=False)
    # Referrals sent before: their first send is their first version's.
    op.execute(
        "UPDATE referrals SET first_sent_at = (SELECT min(v.sent_at) FROM referral_versions v "
        "WHERE v.referral_id = referrals.id) WHERE sent_at IS NOT NULL"
    )
    with op.batch_alter_table("referral_deliveries") as batch:
        batch.add_column(sa.Column("decline_reason_code", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("responded_at", _STAMP, nullable=True))
        batch.add_column(sa.Column("deadline_reminded_at", _STAMP, nullable=True))
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("decline_reason_code", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("home_had_vacancy", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("home_had_vacancy")
        batch.drop_column("decline_reason_code")
    with op.batch_alter_table("referral_deliveries") as batch:
        batch.drop_column("deadline_reminded_at")
        batch.drop_column("responded_at")
        batch.drop_column("decline_reason_code")
    with op.batch_alter_table("referrals") as batch:
        batch.drop_index("ix_referrals_first_sent_at")
        batch.drop_column("deadline_reported_at")
        batch.drop_column("respond_by")
        batch.drop_column("first_sent_at")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("response_hours")
        batch.drop_column("auto_decline_without_vacancy")
    with op.batch_alter_table("homes") as batch:
        batch.drop_column("vacancy_reminded_at")
        batch.drop_column("vacancy_confirmed_at")
        batch.drop_column("vacancy_available_from")
        batch.drop_column("vacancy_beds_free")
