"""offers, fostering families and IPAs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 11:09:59.490531
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import core.models.base

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('fostering_families',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_fostering_families_provider_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fostering_families'))
    )
    with op.batch_alter_table('fostering_families', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fostering_families_provider_id'), ['provider_id'], unique=False)

    op.create_table('offers',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('home_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('core_fee_pence', sa.Integer(), nullable=False),
    sa.Column('additional_costs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fostering_family_id', sa.Uuid(), nullable=True),
    sa.Column('supersedes_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_by_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decline_reason', sa.String(length=2000), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_offers_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fostering_family_id'], ['fostering_families.id'], name=op.f('fk_offers_fostering_family_id_fostering_families'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_offers_home_id_homes')),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_offers_provider_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_offers_referral_id_referrals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_offers_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['offers.id'], name=op.f('fk_offers_supersedes_id_offers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_offers_referral', ['referral_id', 'submitted_at'], unique=False)
        batch_op.create_index('uq_offers_live_per_provider', ['referral_id', 'provider_id'], unique=True, sqlite_where=sa.text("status IN ('SUBMITTED', 'ACCEPTED')"), postgresql_where=sa.text("status IN ('SUBMITTED', 'ACCEPTED')"))

    op.create_table('ipas',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('terms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enabled_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ipas_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_ipas_offer_id_offers')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_ipas_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipas'))
    )
    with op.batch_alter_table('ipas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipas_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index('uq_ipas_live_per_referral', ['referral_id'], unique=True, sqlite_where=sa.text("status IN ('DRAFT', 'READY_FOR_SIGNING', 'SIGNED')"), postgresql_where=sa.text("status IN ('DRAFT', 'READY_FOR_SIGNING', 'SIGNED')"))

    op.create_table('offer_documents',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=False),
    sa.Column('compulsory', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_offer_documents_document_id_documents')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_documents_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('offer_id', 'document_id', name=op.f('pk_offer_documents'))
    )
    with op.batch_alter_table('offer_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_documents_document_id'), ['document_id'], unique=False)

    op.create_table('ipa_documents',
    sa.Column('ipa_id', sa.Uuid(), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_ipa_documents_document_id_documents')),
    sa.ForeignKeyConstraint(['ipa_id'], ['ipas.id'], name=op.f('fk_ipa_documents_ipa_id_ipas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ipa_id', 'document_id', name=op.f('pk_ipa_documents'))
    )
    with op.batch_alter_table('ipa_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipa_documents_document_id'), ['document_id'], unique=False)

    op.create_table('ipa_signatures',
    sa.Column('ipa_id', sa.Uuid(), nullable=False),
    sa.Column('party', sa.String(length=24), nullable=False),
    sa.Column('signed_by_id', sa.Uuid(), nullable=False),
    sa.Column('on_behalf_of_id', sa.Uuid(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['ipa_id'], ['ipas.id'], name=op.f('fk_ipa_signatures_ipa_id_ipas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'], name=op.f('fk_ipa_signatures_on_behalf_of_id_users')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_ipa_signatures_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipa_signatures')),
    sa.UniqueConstraint('ipa_id', 'party', name=op.f('uq_ipa_signatures_ipa_id'))
    )



def downgrade() -> None:

    op.drop_table('ipa_signatures')
    with op.batch_alter_table('ipa_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipa_documents_document_id'))

    op.drop_table('ipa_documents')
    with op.batch_alter_table('offer_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_documents_document_id'))

    op.drop_table('offer_documents')
    with op.batch_alter_table('ipas', schema=None) as batch_op:
        batch_op.drop_index('uq_ipas_live_per_referral', sqlite_where=sa.text("status IN ('DRAFT', 'READY_FOR_SIGNING', 'SIGNED')"), postgresql_where=sa.text("status IN ('DRAFT', 'READY_FOR_SIGNING', 'SIGNED')"))
        batch_op.drop_index(batch_op.f('ix_ipas_offer_id'))

    op.drop_table('ipas')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('uq_offers_live_per_provider', sqlite_where=sa.text("status IN ('SUBMITTED', 'ACCEPTED')"), postgresql_where=sa.text("status IN ('SUBMITTED', 'ACCEPTED')"))
        batch_op.drop_index('ix_offers_referral')
        batch_op.drop_index(batch_op.f('ix_offers_provider_id'))

    op.drop_table('offers')
    with op.batch_alter_table('fostering_families', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fostering_families_provider_id'))

    op.drop_table('fostering_families')

