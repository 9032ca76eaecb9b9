"""The job queue: exclusive claims under concurrency, completion, and recovery after a crash."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from storage.database import Database
from storage.models import Job, JobStatus
from storage.repositories import JobRepository

pytestmark = pytest.mark.asyncio


async def _enqueue(db: Database, count: int, kind: str = "compose") -> list[int]:
    async with db.session() as session:
        return [(await JobRepository(session).enqueue(kind, {"n": n}, guild_id="g")).id for n in range(count)]


async def _claim(db: Database, worker: str, kinds: list[str] | None = None) -> Job | None:
    async with db.session() as session:
        return await JobRepository(session).claim_next(worker, kinds)


async def test_claims_are_exclusive_under_concurrency(db: Database, peers: list[Database]) -> None:
    queued = await _enqueue(db, 20)

    async def drain(peer: Database, worker: str) -> list[int]:
        taken = []
        while (job := await _claim(peer, worker)) is not None:
            taken.append(job.id)
        return taken

    workers = (drain(peers[i % len(peers)], f"w{i}") for i in range(8))
    claims = [job_id for taken in await asyncio.gather(*workers) for job_id in taken]
    assert sorted(claims) == queued  # each job exactly once


async def test_claim_order_kinds_and_completion(db: Database) -> None:
    [first, second] = await _enqueue(db, 2)
    [tag] = await _enqueue(db, 1, kind="tag")
    job = await _claim(db, "w", ["tag"])
    assert job is not None and (job.id, job.status, job.worker, job.attempts) == (tag, JobStatus.RUNNING, "w", 1)
    job = await _claim(db, "w")
    assert job is not None and job.id == first
    async with db.session() as session:
        jobs = JobRepository(session)
        done = await jobs.finish(first)
        assert done is not None and done.status == JobStatus.DONE
        assert await jobs.finish(first) is None  # only running jobs finish
        assert await jobs.fail(second, "never ran") is None
        failed = await jobs.fail(tag, "boom")
        assert failed is not None and (failed.status, failed.error) == (JobStatus.FAILED, "boom")


async def test_recover_stale_requeues_or_gives_up(db: Database) -> None:
    [retry, hopeless, elsewhere, waiting] = await _enqueue(db, 4)
    for worker in ("dead", "dead", "alive"):
        await _claim(db, worker)
    async with db.session() as session:
        job = await JobRepository(session).get(hopeless)
        assert job is not None
        job.attempts = 3
    async with db.session() as session:
        jobs = JobRepository(session)
        assert await jobs.recover_stale(worker="dead", older_than=timedelta(hours=1)) == []
        recovered = await jobs.recover_stale(worker="dead")
    assert [(j.id, j.status, j.worker) for j in recovered] == [(retry, "queued", None), (hopeless, "failed", "dead")]
    assert "abandoned" in (recovered[1].error or "")
    again = await _claim(db, "new")
    assert again is not None and (again.id, again.attempts) == (retry, 2)
    async with db.session() as session:
        everyone = await JobRepository(session).recover_stale()
    assert sorted(j.id for j in everyone) == [retry, elsewhere]
    assert [j.status for j in everyone] == ["queued", "queued"]
    assert (await _claim(db, "x")) is not None and waiting


async def test_work_taken_on_directly_is_running_and_a_successor_gives_it_up(db: Database) -> None:
    async with db.session() as session:
        jobs = JobRepository(session)
        done = await jobs.start("interaction", {"token": "t1"}, "bot", user_id="u1", guild_id="g")
        left = await jobs.start("interaction", {"token": "t2"}, "bot", user_id="u1")
        other = await jobs.start("interaction", {"token": "t3"}, "another-bot")
        assert (left.status, left.worker, left.attempts) == (JobStatus.RUNNING, "bot", 1)
        assert (await jobs.finish(done.id)) is not None
    async with db.session() as session:
        abandoned = await JobRepository(session).recover_stale(worker="bot", max_attempts=1)
    assert [(j.id, j.status, j.payload) for j in abandoned] == [(left.id, JobStatus.FAILED, {"token": "t2"})]
    async with db.session() as session:
        jobs = JobRepository(session)
        assert (await jobs.get(other.id)).status == JobStatus.RUNNING  # type: ignore[union-attr]
        await jobs.forget(other.id)
        assert await jobs.get(other.id) is None
