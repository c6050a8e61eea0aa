"""The orders table as the application maps it."""
from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True)
    status = Column(Text, nullable=False, default="pending")
    note = Column(Text, nullable=True)
