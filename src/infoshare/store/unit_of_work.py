"""The unit of work: one transaction, owned by one service call.

A service receives a fresh ``UnitOfWork`` and enters it once, either for writing
(``with uow:`` … ``uow.commit()``) or for reading (``with uow.reading():``). Repositories and
queries use ``uow.session`` and never commit; leaving the block without ``commit()``, or with
an exception, rolls everything back, so bad input changes nothing.

Callbacks registered with ``after_commit`` run once the transaction is durable; this is
where later work (notifying a ledger writer, batching ledger appends into one group commit)
can hook in without services knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

#: the execution option a read-only unit of work sets on its connection (see database.py)
READ_ONLY_OPTION = "infoshare_read_only"


class UnitOfWork:
    """One database transaction. Single use: enter it once, then it is spent."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None
        self._used = False
        self._committed = False
        self._after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it in a `with` block")
        return self._session

    def _open(self, *, read_only: bool) -> Session:
        if self._used:
            raise RuntimeError("a unit of work is single use; ask the database for a new one")
        self._used = True
        session = self._sessions()
        options: dict[str, object] = {READ_ONLY_OPTION: read_only}
        if read_only and session.get_bind().dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        # Procuring the connection now, with its options, makes the transaction start the
        # right way (BEGIN IMMEDIATE for writes on SQLite) before the first statement.
        session.connection(execution_options=options)
        self._session = session
        return session

    def __enter__(self) -> UnitOfWork:
        self._open(read_only=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """Open a read-only transaction: consistent reads that never wait for writers."""
        self._open(read_only=True)
        try:
            yield self
        finally:
            self._close()

    def flush(self) -> None:
        """Send pending changes, so constraint violations surface here rather than at commit."""
        self.session.flush()

    def commit(self) -> None:
        """Make the transaction's changes durable, then run the after-commit callbacks."""
        self.session.commit()
        self._committed = True
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after a successful commit; dropped if the work is rolled back."""
        self._after_commit.append(callback)

    def _close(self) -> None:
        session = self._session
        self._session = None
        self._after_commit = []
        if session is None:
            return
        try:
            if not self._committed:
                session.rollback()
        finally:
            session.close()
