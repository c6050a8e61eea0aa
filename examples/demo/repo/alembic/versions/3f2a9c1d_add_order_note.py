"""add a note to orders"""
from alembic import op
import sqlalchemy as sa

revision = "3f2a9c1d"
down_revision = None


def upgrade():
    op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    pass
