"""The customers table as the application maps it."""
from sqlalchemy import Column, Integer, Text

from .order import Base


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    email = Column(Text, nullable=False, unique=True)
