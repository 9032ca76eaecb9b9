"""The relational schema: users, their generations, ratings, preferences, channel settings, jams and queued jobs.

Types are portable between SQLite and PostgreSQL: JSON, LargeBinary, BigInteger and timestamps that are
timezone-aware in Python and stored as UTC. Ids of users, guilds and channels are strings (a Discord
snowflake or a CLI name); a generation id is 12 hex digits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

USER_ID = String(64)
PLACE_ID = String(32)
GENERATION_ID = String(12)
GUILD_WIDE = "*"
"""The `channel_id` of a guild's own settings, which its channels inherit."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored as UTC (SQLite keeps naive UTC text, PostgreSQL timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class GenerationKind(StrEnum):
    COMPOSE = "compose"
    VARIATION = "variation"
    CONTINUATION = "continuation"
    INTERPOLATION = "interpolation"
    REROLL = "reroll"
    REMIX = "remix"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Visibility(StrEnum):
    PUBLIC = "public"
    EPHEMERAL = "ephemeral"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def _only_on(dialect: str, index: Index) -> Index:
    """An index created on one dialect only; `info["dialect"]` tells Alembic's comparison to skip it elsewhere."""
    index.info["dialect"] = dialect
    return index.ddl_if(dialect=dialect)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(USER_ID, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Preference(Base):
    """One learnt or chosen preference of a user, e.g. key "taste" holding a taste model's state."""

    __tablename__ = "preferences"

    user_id: Mapped[str] = mapped_column(USER_ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Generation(Base):
    """A composition: its request, model, seed, latent code (float32 bytes), MIDI, MIR tags and parents."""

    __tablename__ = "generations"
    __table_args__ = (
        CheckConstraint(_one_of("kind", GenerationKind), name="kind"),
        Index("ix_generations_user_id_created_at", "user_id", "created_at"),
        Index("ix_generations_channel_id_created_at", "channel_id", "created_at"),
        Index("ix_generations_guild_id_created_at", "guild_id", "created_at"),
        Index("ix_generations_created_at", "created_at"),
        _only_on("postgresql", Index("ix_generations_parent_ids", "parent_ids", postgresql_using="gin")),
    )

    id: Mapped[str] = mapped_column(GENERATION_ID, primary_key=True)
    user_id: Mapped[str | None] = mapped_column(USER_ID, ForeignKey("users.id", ondelete="CASCADE"))
    guild_id: Mapped[str | None] = mapped_column(PLACE_ID)
    channel_id: Mapped[str | None] = mapped_column(PLACE_ID)
    kind: Mapped[str] = mapped_column(String(16), default=GenerationKind.COMPOSE)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    model: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(BigInteger)
    latent: Mapped[bytes | None] = mapped_column(LargeBinary)
    midi: Mapped[bytes] = mapped_column(LargeBinary)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # jsonb on PostgreSQL so that `children_of` can use a GIN index; replace the list, never mutate it in place.
    parent_ids: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rating(Base):
    """One user's vote on one generation; the primary key makes re-rating replace it."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        Index("ix_ratings_generation_id", "generation_id"),
    )

    user_id: Mapped[str] = mapped_column(USER_ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    generation_id: Mapped[str] = mapped_column(
        GENERATION_ID, ForeignKey("generations.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    generation: Mapped[Generation] = relationship(lazy="raise")


class ChannelSetting(Base):
    """Who may compose, the cooldown and the default visibility in a channel (or guild-wide); NULL inherits."""

    __tablename__ = "channel_settings"
    __table_args__ = (CheckConstraint(_one_of("visibility", Visibility), name="visibility"),)

    guild_id: Mapped[str] = mapped_column(PLACE_ID, primary_key=True)
    channel_id: Mapped[str] = mapped_column(PLACE_ID, primary_key=True, default=GUILD_WIDE)
    compose_role_ids: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    cooldown_s: Mapped[int | None] = mapped_column(Integer)
    visibility: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Jam(Base):
    """A shared piece grown in a channel or thread: its piece so far (`head_id`) and its voting round."""

    __tablename__ = "jams"

    thread_id: Mapped[str] = mapped_column(PLACE_ID, primary_key=True)
    guild_id: Mapped[str | None] = mapped_column(PLACE_ID)
    started_by: Mapped[str | None] = mapped_column(USER_ID, ForeignKey("users.id", ondelete="SET NULL"))
    head_id: Mapped[str | None] = mapped_column(GENERATION_ID, ForeignKey("generations.id", ondelete="SET NULL"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class JamVote(Base):
    """One member's vote in one round of a jam; the primary key makes voting again replace it."""

    __tablename__ = "jam_votes"

    thread_id: Mapped[str] = mapped_column(PLACE_ID, ForeignKey("jams.thread_id", ondelete="CASCADE"),
                                           primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(USER_ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    generation_id: Mapped[str] = mapped_column(GENERATION_ID, ForeignKey("generations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    """A unit of queued work, persisted so that a restarted process can recover what a dead one left."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_one_of("status", JobStatus), name="status"),
        Index("ix_jobs_status_id", "status", "id"),
        Index("ix_jobs_user_id", "user_id"),
        Index("ix_jobs_result_generation_id", "result_generation_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    user_id: Mapped[str | None] = mapped_column(USER_ID, ForeignKey("users.id", ondelete="CASCADE"))
    guild_id: Mapped[str | None] = mapped_column(PLACE_ID)
    worker: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result_generation_id: Mapped[str | None] = mapped_column(
        GENERATION_ID, ForeignKey("generations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
