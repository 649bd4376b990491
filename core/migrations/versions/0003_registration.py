"""documents, provider registrations and homes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:39:19.010845
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import core.models.base

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('documents',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_documents_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_expires_on', ['expires_on'], unique=False)
        batch_op.create_index('ix_documents_organisation_kind', ['organisation_id', 'kind', 'uploaded_at'], unique=False)

    op.create_table('provider_registrations',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('spreadsheet_id', sa.Uuid(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('submitted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decision_reason', sa.String(length=2000), nullable=True),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_provider_registrations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_provider_registrations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['spreadsheet_id'], ['documents.id'], name=op.f('fk_provider_registrations_spreadsheet_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_registrations')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_provider_registrations_organisation_id'))
    )
    with op.batch_alter_table('provider_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_registrations_status'), ['status'], unique=False)

    op.create_table('homes',
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('max_age', sa.Integer(), nullable=False),
    sa.Column('accepts_female', sa.Boolean(), nullable=False),
    sa.Column('accepts_male', sa.Boolean(), nullable=False),
    sa.Column('accepts_other', sa.Boolean(), nullable=False),
    sa.Column('beds', sa.Integer(), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('local_authority_area', sa.String(length=200), nullable=True),
    sa.Column('ofsted_urn', sa.String(length=10), nullable=True),
    sa.Column('contract_type', sa.String(length=16), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['organisations.id'], name=op.f('fk_homes_provider_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['provider_registrations.id'], name=op.f('fk_homes_registration_id_provider_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_homes'))
    )
    with op.batch_alter_table('homes', schema=None) as batch_op:
        batch_op.create_index('ix_homes_matching', ['category', 'min_age', 'max_age'], unique=False, sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_homes_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_homes_registration_id'), ['registration_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('homes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_homes_registration_id'))
        batch_op.drop_index(batch_op.f('ix_homes_provider_id'))
        batch_op.drop_index('ix_homes_matching', sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))

    op.drop_table('homes')
    with op.batch_alter_table('provider_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_registrations_status'))

    op.drop_table('provider_registrations')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_organisation_kind')
        batch_op.drop_index('ix_documents_expires_on')

    op.drop_table('documents')

