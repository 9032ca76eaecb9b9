"""Jobs: a persistent queue, so that work a crashed process had queued or started is recovered on restart."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Job, JobStatus, utcnow
from ._sql import dialect_of, ensure_user


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self, kind: str, payload: dict[str, Any], *, user_id: str | None = None, guild_id: str | None = None
    ) -> Job:
        if user_id is not None:
            await ensure_user(self.session, user_id)
        job = Job(kind=kind, payload=payload, user_id=user_id, guild_id=guild_id)
        self.session.add(job)
        await self.session.flush()
        return job

    async def start(
        self, kind: str, payload: dict[str, Any], worker: str, *, user_id: str | None = None,
        guild_id: str | None = None,
    ) -> Job:
        """Record work `worker` has already taken on (running, first attempt): e.g. the bot's in-memory queue
        journals each accepted interaction, so that its successor can tell the user if it died meanwhile."""
        job = await self.enqueue(kind, payload, user_id=user_id, guild_id=guild_id)
        job.status, job.worker, job.attempts = JobStatus.RUNNING, worker, 1
        await self.session.flush()
        return job

    async def get(self, job_id: int) -> Job | None:
        return await self.session.get(Job, job_id)

    async def claim_next(self, worker: str, kinds: Collection[str] | None = None) -> Job | None:
        """Atomically take the oldest queued job (of `kinds`, if given) and mark it running for `worker`.

        Concurrent claimers never get the same job: PostgreSQL skips rows another claimer has locked,
        SQLite lets one writer at a time in (`BEGIN IMMEDIATE`).
        """
        oldest = select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id).limit(1)
        if kinds is not None:
            oldest = oldest.where(Job.kind.in_(list(kinds)))
        if dialect_of(self.session) == "postgresql":
            oldest = oldest.with_for_update(skip_locked=True)
        claimed = await self._update(
            (Job.id == oldest.scalar_subquery()) & (Job.status == JobStatus.QUEUED),
            status=JobStatus.RUNNING, worker=worker, attempts=Job.attempts + 1,
        )
        return claimed[0] if claimed else None

    async def finish(self, job_id: int, result_generation_id: str | None = None) -> Job | None:
        """Mark a running job done; None if it is not running (recovered meanwhile, or its user forgotten)."""
        done = await self._update(
            (Job.id == job_id) & (Job.status == JobStatus.RUNNING),
            status=JobStatus.DONE, result_generation_id=result_generation_id,
        )
        return done[0] if done else None

    async def forget(self, job_id: int) -> None:
        """Delete a job (a journal entry whose work was delivered: nothing is left to recover)."""
        await self.session.execute(delete(Job).where(Job.id == job_id))

    async def fail(self, job_id: int, error: str) -> Job | None:
        """Mark a running job failed with a message; None if it is not running."""
        failed = await self._update(
            (Job.id == job_id) & (Job.status == JobStatus.RUNNING), status=JobStatus.FAILED, error=error
        )
        return failed[0] if failed else None

    async def recover_stale(
        self, *, worker: str | None = None, older_than: timedelta = timedelta(0), max_attempts: int = 3
    ) -> list[Job]:
        """Jobs left running by a dead process: queued again, or failed once they have had `max_attempts`.

        Looks at running jobs of `worker` (every worker if None) untouched for `older_than`; a single process
        calls this on start with the defaults, as whatever is still running then was its predecessor's.
        """
        stale = (Job.status == JobStatus.RUNNING) & (Job.updated_at <= utcnow() - older_than)
        stale &= (Job.worker == worker) if worker is not None else true()
        given_up = await self._update(
            stale & (Job.attempts >= max_attempts),
            status=JobStatus.FAILED, error=f"abandoned by a dead worker after {max_attempts} attempts",
        )
        requeued = await self._update(stale & (Job.attempts < max_attempts), status=JobStatus.QUEUED, worker=None)
        return sorted(given_up + requeued, key=lambda job: job.id)

    async def _update(self, where: ColumnElement[bool], **values: Any) -> list[Job]:
        statement = update(Job).where(where).values(updated_at=utcnow(), **values).returning(Job)
        result = await self.session.scalars(statement, execution_options={"populate_existing": True})
        return list(result)
