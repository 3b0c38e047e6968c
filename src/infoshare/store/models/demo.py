"""A note that the database holds synthetic demo data, and how it was made.

``infoshare demo`` writes one row; a second run sees it and adds nothing, and the demo
refuses to mix synthetic people into a database that already holds real ones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base


class DemoDatasetRecord(Base):
    __tablename__ = "demo_datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int]
    staff_count: Mapped[int]
    service_user_count: Mapped[int]
    created_at: Mapped[datetime]
