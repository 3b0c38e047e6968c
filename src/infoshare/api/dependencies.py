"""What routes receive, as ``Annotated`` dependencies: settings, the database, a unit of work.

``create_app`` opens the database once and keeps it on ``app.state``; each request that
needs storage gets a fresh unit of work from it and hands it to one service call. The
signed-in person (``CurrentStaff``) will join these when accounts arrive.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from infoshare.services.database import Database, UnitOfWork
from infoshare.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_unit_of_work(database: Annotated[Database, Depends(get_database)]) -> UnitOfWork:
    return database.unit_of_work()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]
