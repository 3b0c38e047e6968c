"""``/health``: whether this process can serve, for load balancers and monitors.

It answers 200 when the database is reachable, its schema is current and a protocol pack is
loaded, and 503 otherwise, naming what to do. It reveals no URL, host or credential.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from infoshare import __version__
from infoshare.api.dependencies import DatabaseDep
from infoshare.services.readiness import check_readiness

router = APIRouter(tags=["health"])


class DatabaseHealth(BaseModel):
    reachable: bool
    schema_current: bool = Field(
        description="whether the schema is at the revision this code needs"
    )


class PackHealth(BaseModel):
    loaded: bool
    id: str | None = Field(default=None, description="the protocol pack's id, e.g. `leeds-2002`")
    version: str | None = None


class Health(BaseModel):
    """Whether the service can answer requests, and if not, why."""

    status: Literal["ok", "unavailable"]
    version: str = Field(description="the version of infoshare answering")
    database: DatabaseHealth
    pack: PackHealth
    detail: str | None = Field(
        default=None, description="what is wrong and what to do, if anything"
    )


@router.get(
    "/health",
    response_model=Health,
    summary="Whether the service is ready",
    responses={503: {"model": Health, "description": "Not ready: the body says why"}},
)
def health(database: DatabaseDep) -> JSONResponse:
    readiness = check_readiness(database)
    body = Health(
        status="ok" if readiness.ready else "unavailable",
        version=__version__,
        database=DatabaseHealth(
            reachable=readiness.database_reachable, schema_current=readiness.schema_current
        ),
        pack=PackHealth(
            loaded=readiness.pack_loaded, id=readiness.pack_id, version=readiness.pack_version
        ),
        detail=readiness.problem,
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=200 if readiness.ready else 503,
        headers={"Cache-Control": "no-store"},
    )
