"""``/api/v1/ledger``: the ledger's published key, its signed checkpoints, and proofs.

Principle 6 (decisions recorded for audit), Procedure C4 (evidence when requested),
Section 4.3 (monitoring). The key and the checkpoints are public, so that anyone can keep
a copy and later hold the ledger to it. Proofs carry entries (pseudonymous subjects), so
they need an API token with ``monitoring:read``. See docs/ledger.md for how an outsider
checks them with nothing but the key.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from infoshare.api.dependencies import ApiCaller, SettingsDep, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.ledger.proofs import ConsistencyProof, InclusionProof
from infoshare.services import ledger

router = APIRouter(prefix="/ledger", tags=["ledger"])

_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}}
}


class CheckpointOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    size: int = Field(description="how many entries the checkpoint covers")
    root: str = Field(description="the Merkle root, base64")
    time: datetime
    url: str = Field(description="where the signed note itself is")


class InclusionOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: str = "inclusion"
    sequence: int
    tree_size: int
    entry: str = Field(description="the entry's canonical JSON, base64")
    proof: list[str] = Field(description="the audit path, base64 hashes, leaf side first")


class ConsistencyOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: str = "consistency"
    size1: int
    size2: int
    proof: list[str]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@router.get(
    "/public-key",
    response_class=PlainTextResponse,
    summary="The ledger's Ed25519 verifier key (C2SP signed-note form)",
    responses={**_TEXT, **problem_responses(503)},
)
def public_key(settings: SettingsDep) -> str:
    return ledger.public_key_text(settings.keys_dir) + "\n"


@router.get(
    "/checkpoints",
    response_model=list[CheckpointOut],
    summary="Every signed checkpoint, by tree size",
)
def checkpoints(uow: UnitOfWorkDep) -> list[CheckpointOut]:
    return [
        CheckpointOut(
            size=c.size,
            root=_b64(c.root),
            time=c.time,
            url=f"/api/v1/ledger/checkpoints/{c.size}",
        )
        for c in ledger.checkpoints(uow)
    ]


@router.get(
    "/checkpoints/latest",
    response_class=PlainTextResponse,
    summary="The newest signed checkpoint, as its signed note",
    responses={**_TEXT, **problem_responses(404)},
)
def latest_checkpoint(uow: UnitOfWorkDep) -> str:
    return ledger.get_checkpoint(uow).note


@router.get(
    "/checkpoints/{size}",
    response_class=PlainTextResponse,
    summary="The signed checkpoint of a tree size, as its signed note",
    responses={**_TEXT, **problem_responses(404, 422)},
)
def checkpoint_of_size(size: int, uow: UnitOfWorkDep) -> str:
    return ledger.get_checkpoint(uow, size).note


@router.get(
    "/proofs/inclusion",
    response_model=InclusionOut,
    summary="Proof that an entry is in a signed checkpoint (RFC 9162 audit path)",
    responses=problem_responses(401, 403, 404, 422),
)
def inclusion(
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    sequence: Annotated[int, Query(description="the entry's sequence number")],
    size: Annotated[
        int | None, Query(description="a checkpoint's tree size; default the newest")
    ] = None,
) -> InclusionOut:
    ledger.require_reader(caller)
    proof: InclusionProof = ledger.inclusion(uow, sequence, size)
    return InclusionOut(
        sequence=proof.sequence,
        tree_size=proof.tree_size,
        entry=_b64(proof.entry),
        proof=[_b64(h) for h in proof.hashes],
    )


@router.get(
    "/proofs/consistency",
    response_model=ConsistencyOut,
    summary="Proof that a newer checkpoint extends an older one (RFC 9162)",
    responses=problem_responses(401, 403, 404, 422),
)
def consistency(
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    older: Annotated[int, Query(alias="from", description="the older checkpoint's size")],
    newer: Annotated[int, Query(alias="to", description="the newer checkpoint's size")],
) -> ConsistencyOut:
    ledger.require_reader(caller)
    proof: ConsistencyProof = ledger.consistency(uow, older, newer)
    return ConsistencyOut(
        size1=proof.size1, size2=proof.size2, proof=[_b64(h) for h in proof.hashes]
    )
