"""referrals, versions, deliveries and matched homes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:41:24.013116
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import core.models.base

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_event_id'), ['event_id'], unique=False)


    op.create_table('referral_sequences',
    sa.Column('local_authority_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['local_authority_id'], ['organisations.id'], name=op.f('fk_referral_sequences_local_authority_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('local_authority_id', 'year', name=op.f('pk_referral_sequences'))
    )
    op.create_table('referrals',
    sa.Column('local_authority_id', sa.Uuid(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('children', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('required_from', sa.Date(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_api_token_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=2000), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_api_token_id'], ['api_tokens.id'], name=op.f('fk_referrals_created_by_api_token_id_api_tokens'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['local_authority_id'], ['organisations.id'], name=op.f('fk_referrals_local_authority_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('reference', name=op.f('uq_referrals_reference'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_la_created', ['local_authority_id', 'created_at'], unique=False)

    op.create_table('referral_deliveries',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('delivered_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('declined_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=2000), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_referral_deliveries_provider_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_deliveries_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_deliveries')),
    sa.UniqueConstraint('referral_id', 'provider_id', name=op.f('uq_referral_deliveries_referral_id'))
    )
    with op.batch_alter_table('referral_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_referral_deliveries_provider', ['provider_id', 'referral_id'], unique=False)

    op.create_table('referral_documents',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_referral_documents_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_documents_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('referral_id', 'document_id', name=op.f('pk_referral_documents'))
    )
    with op.batch_alter_table('referral_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_documents_document_id'), ['document_id'], unique=False)

    op.create_table('referral_versions',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sent_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_versions_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('referral_id', 'version', name=op.f('pk_referral_versions'))
    )
    op.create_table('delivery_homes',
    sa.Column('delivery_id', sa.Uuid(), nullable=False),
    sa.Column('home_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['referral_deliveries.id'], name=op.f('fk_delivery_homes_delivery_id_referral_deliveries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_delivery_homes_home_id_homes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('delivery_id', 'home_id', name=op.f('pk_delivery_homes'))
    )



def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_event_id'))
        batch_op.drop_column('event_id')


    op.drop_table('delivery_homes')
    op.drop_table('referral_versions')
    with op.batch_alter_table('referral_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_documents_document_id'))

    op.drop_table('referral_documents')
    with op.batch_alter_table('referral_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_deliveries_provider')

    op.drop_table('referral_deliveries')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_la_created')

    op.drop_table('referrals')
    op.drop_table('referral_sequences')

