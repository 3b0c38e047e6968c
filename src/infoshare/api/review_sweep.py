"""The review sweep while serving: agreements move to ``review-due`` on a schedule (Section 4.4).

Section 4.4 has agreements reviewed at least yearly, and Procedure C4 has the Information
Sharing Manager co-ordinate reviews; an agreement whose review date has come should say so
without anyone having to mark it. ``services/agreements.mark_reviews_due`` does the moving;
this module runs it in the server: ``infoshare serve`` runs it once before it listens
(``sweep_once``), and the application's lifespan every ``INFOSHARE_REVIEW_SWEEP_MINUTES``
after that (``sweeping``; 0 turns the periodic sweep off, for a deployment that runs
``infoshare isa review-due`` from cron instead). Several server processes may sweep at once:
the sweep is idempotent and each moved agreement's row is locked while it moves.

The first periodic sweep waits one interval, so building the application (as the tests do)
changes nothing by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from infoshare.errors import InfoshareError
from infoshare.services import agreements
from infoshare.services.agreements import AgreementSummary
from infoshare.services.database import Database

logger = logging.getLogger("infoshare.review_sweep")


def sweep_once(database: Database, *, now: datetime | None = None) -> list[AgreementSummary]:
    """Move every agreement due for review now; what moved (each logged)."""
    moved = agreements.mark_reviews_due(database.unit_of_work(), now=now)
    for summary in moved:
        logger.info(
            "agreement %s version %s is due for review (review date %s; Section 4.4)",
            summary.reference,
            summary.version,
            summary.review_date,
        )
    return moved


async def _every(database: Database, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(sweep_once, database)
        except InfoshareError as error:  # a database briefly away: try again next time
            logger.error("the review sweep failed: %s", error.message)
        except Exception:  # the server goes on serving; the next sweep tries again
            logger.exception("the review sweep failed")


@contextlib.asynccontextmanager
async def sweeping(database: Database, interval: timedelta) -> AsyncIterator[None]:
    """Sweep every ``interval`` while the context is open (never when it is zero)."""
    if interval <= timedelta(0):
        yield
        return
    task = asyncio.create_task(_every(database, interval.total_seconds()), name="review-sweep")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
