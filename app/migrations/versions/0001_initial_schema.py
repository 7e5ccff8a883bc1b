"""PARS schema: FAB security, accreditors, providers, contacts, activities, reviews

Revision ID: 0001_initial_schema
Revises: 
Create Date: 2026-11-25 21:26:42.914269

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_initial_schema'
down_revision = None
branch_labels = None
depends_on = None


#: Flask-AppBuilder's models draw their ids from these sequences on PostgreSQL.
FAB_SEQUENCES = (
    "ab_permission_id_seq", "ab_view_menu_id_seq", "ab_permission_view_role_id_seq",
    "ab_user_role_id_seq", "ab_role_id_seq", "ab_permission_view_id_seq", "ab_user_id_seq",
    "ab_user_group_id_seq", "ab_group_role_id_seq", "ab_group_id_seq",
    "ab_register_user_id_seq", "ab_api_key_id_seq",
)


def _uses_sequences():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _uses_sequences():
        for name in FAB_SEQUENCES:
            op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table('ab_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=150), nullable=True),
    sa.Column('description', sa.String(length=512), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('ab_permission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('ab_register_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=64), nullable=False),
    sa.Column('last_name', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('password', sa.String(length=256), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('registration_date', sa.DateTime(), nullable=True),
    sa.Column('registration_hash', sa.String(length=256), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('username')
    )
    op.create_table('ab_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('ab_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=64), nullable=False),
    sa.Column('last_name', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('password', sa.String(length=256), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('last_login', sa.DateTime(), nullable=True),
    sa.Column('login_count', sa.Integer(), nullable=True),
    sa.Column('fail_login_count', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=True),
    sa.Column('changed_on', sa.DateTime(), nullable=True),
    sa.Column('created_by_fk', sa.Integer(), nullable=True),
    sa.Column('changed_by_fk', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['created_by_fk'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('username')
    )
    op.create_table('ab_view_menu',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=250), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('accreditor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('accreditor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditor_state'), ['state'], unique=False)

    op.create_table('ab_api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('key_hash', sa.String(length=256), nullable=False),
    sa.Column('lookup_hash', sa.String(length=256), nullable=True),
    sa.Column('key_prefix', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_on', sa.DateTime(), nullable=True),
    sa.Column('expires_on', sa.DateTime(), nullable=True),
    sa.Column('revoked_on', sa.DateTime(), nullable=True),
    sa.Column('last_used_on', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lookup_hash'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('ab_api_key', schema=None) as batch_op:
        batch_op.create_index('idx_api_key_lookup_hash', ['lookup_hash'], unique=True)
        batch_op.create_index('idx_api_key_prefix', ['key_prefix'], unique=False)
        batch_op.create_index('idx_api_key_user_id', ['user_id'], unique=False)

    op.create_table('ab_group_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['ab_group.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['ab_role.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'role_id')
    )
    with op.batch_alter_table('ab_group_role', schema=None) as batch_op:
        batch_op.create_index('idx_group_id', ['group_id'], unique=False)
        batch_op.create_index('idx_group_role_id', ['role_id'], unique=False)

    op.create_table('ab_permission_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permission_id', sa.Integer(), nullable=False),
    sa.Column('view_menu_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['permission_id'], ['ab_permission.id'], ),
    sa.ForeignKeyConstraint(['view_menu_id'], ['ab_view_menu.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('permission_id', 'view_menu_id')
    )
    with op.batch_alter_table('ab_permission_view', schema=None) as batch_op:
        batch_op.create_index('idx_permission_id', ['permission_id'], unique=False)
        batch_op.create_index('idx_view_menu_id', ['view_menu_id'], unique=False)

    op.create_table('ab_user_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['ab_group.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'group_id')
    )
    with op.batch_alter_table('ab_user_group', schema=None) as batch_op:
        batch_op.create_index('idx_user_group_id', ['group_id'], unique=False)
        batch_op.create_index('idx_user_id', ['user_id'], unique=False)

    op.create_table('ab_user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['role_id'], ['ab_role.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'role_id')
    )
    op.create_table('accreditor_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accreditor_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['accreditor_id'], ['accreditor.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('accreditor_id', 'user_id')
    )
    with op.batch_alter_table('accreditor_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditor_member_user_id'), ['user_id'], unique=False)

    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accme_id', sa.String(length=7), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organization_type', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('accreditor_id', sa.Integer(), nullable=False),
    sa.Column('accreditation_status', sa.String(length=40), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('address_line1', sa.String(length=200), nullable=True),
    sa.Column('address_line2', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['accreditor_id'], ['accreditor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('accme_id')
    )
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_accreditor_id'), ['accreditor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_name'), ['name'], unique=False)

    op.create_table('ab_permission_view_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permission_view_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['permission_view_id'], ['ab_permission_view.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['ab_role.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('permission_view_id', 'role_id')
    )
    with op.batch_alter_table('ab_permission_view_role', schema=None) as batch_op:
        batch_op.create_index('idx_permission_view_id', ['permission_view_id'], unique=False)
        batch_op.create_index('idx_role_id', ['role_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('provider_activity_id', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('delivery_methods', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reporting_year', sa.Integer(), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('credits', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('providership', sa.String(length=10), nullable=True),
    sa.Column('joint_providers', sa.Text(), nullable=False),
    sa.Column('commercial_support', sa.Boolean(), nullable=True),
    sa.Column('outcomes', sa.Text(), nullable=False),
    sa.Column('physician_learners', sa.Integer(), nullable=True),
    sa.Column('other_learners', sa.Integer(), nullable=True),
    sa.Column('moc_attestation', sa.Boolean(), nullable=True),
    sa.Column('rems_type', sa.String(length=30), nullable=True),
    sa.Column('rems_id', sa.String(length=20), nullable=True),
    sa.Column('cme_finder', sa.Boolean(), nullable=True),
    sa.Column('fee', sa.String(length=20), nullable=True),
    sa.Column('registration', sa.String(length=20), nullable=True),
    sa.Column('activity_url', sa.String(length=500), nullable=True),
    sa.Column('mips', sa.Boolean(), nullable=True),
    sa.Column('commendation_tags', sa.Text(), nullable=False),
    sa.Column('is_interprofessional', sa.Boolean(), nullable=True),
    sa.Column('target_professions', sa.Text(), nullable=False),
    sa.Column('pharmacy_activity_type', sa.String(length=30), nullable=True),
    sa.Column('pharmacy_topic', sa.String(length=60), nullable=True),
    sa.Column('pharmacy_uan', sa.String(length=40), nullable=True),
    sa.Column('pharmacy_tech_uan', sa.String(length=40), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_id', 'provider_activity_id', name='uq_activity_provider_key')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_format', ['format'], unique=False)
        batch_op.create_index('ix_activity_provider_id_id', ['provider_id', 'id'], unique=False)
        batch_op.create_index('ix_activity_rems_type', ['rems_type'], unique=False)
        batch_op.create_index('ix_activity_status', ['status'], unique=False)
        batch_op.create_index('ix_activity_year_format', ['reporting_year', 'format'], unique=False)

    op.create_table('provider_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_type', sa.String(length=40), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_id', 'user_id', 'contact_type')
    )
    with op.batch_alter_table('provider_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_contact_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_provider_primary_contact', ['provider_id'], unique=True, sqlite_where=sa.text("contact_type = 'Primary Contact'"), postgresql_where=sa.text("contact_type = 'Primary Contact'"))

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.String(length=30), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('materials_due', sa.Date(), nullable=True),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_provider_id'), ['provider_id'], unique=False)

    op.create_table('activity_commercial_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity_commercial_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_commercial_support_activity_id'), ['activity_id'], unique=False)

    op.create_table('activity_credit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('credit_type', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'credit_type')
    )
    with op.batch_alter_table('activity_credit', schema=None) as batch_op:
        batch_op.create_index('ix_activity_credit_type_activity', ['credit_type', 'activity_id'], unique=False)

    op.create_table('learner_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('profession', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'profession', 'year')
    )
    op.create_table('moc_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('board', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('credit_types', sa.Text(), nullable=False),
    sa.Column('practice_areas', sa.Text(), nullable=False),
    sa.Column('credit_claim_date', sa.Date(), nullable=True),
    sa.Column('content_area', sa.String(length=200), nullable=True),
    sa.Column('internal_id', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'board')
    )
    with op.batch_alter_table('moc_registration', schema=None) as batch_op:
        batch_op.create_index('ix_moc_registration_board_activity', ['board', 'activity_id'], unique=False)

    op.create_table('review_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('recused', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'user_id')
    )
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignment_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignment_user_id'))

    op.drop_table('review_assignment')
    with op.batch_alter_table('moc_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_moc_registration_board_activity')

    op.drop_table('moc_registration')
    op.drop_table('learner_count')
    with op.batch_alter_table('activity_credit', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_credit_type_activity')

    op.drop_table('activity_credit')
    with op.batch_alter_table('activity_commercial_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_commercial_support_activity_id'))

    op.drop_table('activity_commercial_support')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_provider_id'))

    op.drop_table('review')
    with op.batch_alter_table('provider_contact', schema=None) as batch_op:
        batch_op.drop_index('uq_provider_primary_contact', sqlite_where=sa.text("contact_type = 'Primary Contact'"), postgresql_where=sa.text("contact_type = 'Primary Contact'"))
        batch_op.drop_index(batch_op.f('ix_provider_contact_user_id'))

    op.drop_table('provider_contact')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_year_format')
        batch_op.drop_index('ix_activity_status')
        batch_op.drop_index('ix_activity_rems_type')
        batch_op.drop_index('ix_activity_provider_id_id')
        batch_op.drop_index('ix_activity_format')

    op.drop_table('activity')
    with op.batch_alter_table('ab_permission_view_role', schema=None) as batch_op:
        batch_op.drop_index('idx_role_id')
        batch_op.drop_index('idx_permission_view_id')

    op.drop_table('ab_permission_view_role')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_name'))
        batch_op.drop_index(batch_op.f('ix_provider_kind'))
        batch_op.drop_index(batch_op.f('ix_provider_accreditor_id'))

    op.drop_table('provider')
    with op.batch_alter_table('accreditor_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditor_member_user_id'))

    op.drop_table('accreditor_member')
    op.drop_table('ab_user_role')
    with op.batch_alter_table('ab_user_group', schema=None) as batch_op:
        batch_op.drop_index('idx_user_id')
        batch_op.drop_index('idx_user_group_id')

    op.drop_table('ab_user_group')
    with op.batch_alter_table('ab_permission_view', schema=None) as batch_op:
        batch_op.drop_index('idx_view_menu_id')
        batch_op.drop_index('idx_permission_id')

    op.drop_table('ab_permission_view')
    with op.batch_alter_table('ab_group_role', schema=None) as batch_op:
        batch_op.drop_index('idx_group_role_id')
        batch_op.drop_index('idx_group_id')

    op.drop_table('ab_group_role')
    with op.batch_alter_table('ab_api_key', schema=None) as batch_op:
        batch_op.drop_index('idx_api_key_user_id')
        batch_op.drop_index('idx_api_key_prefix')
        batch_op.drop_index('idx_api_key_lookup_hash')

    op.drop_table('ab_api_key')
    with op.batch_alter_table('accreditor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditor_state'))

    op.drop_table('accreditor')
    op.drop_table('ab_view_menu')
    op.drop_table('ab_user')
    op.drop_table('ab_role')
    op.drop_table('ab_register_user')
    op.drop_table('ab_permission')
    op.drop_table('ab_group')
    if _uses_sequences():
        for name in FAB_SEQUENCES:
            op.execute(sa.schema.DropSequence(sa.Sequence(name)))
