"""How an interaction that needs the engine is answered: acknowledged at once (a deferred response),
progress shown by editing the response (queue position, then working), then the result. A failure
replaces the response with an ephemeral message that says what went wrong. Each accepted job is journalled
(`Services.begin_job`) until it is answered, so that if the process dies meanwhile the next one tells the
user (`CadenzaBot.report_interrupted`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from engine.requests import RequestError

from .errors import ServiceError
from .limits import InFlight
from .messages import Reply, progress_text, result_reply
from .services import Generation, Origin
from .worker import Progress

if TYPE_CHECKING:
    from .app import CadenzaBot

log = logging.getLogger(__name__)
COMPOSING = "🎼 Composing and rendering…"
INTERNAL_ERROR = "Sorry — something went wrong on my side; it has been logged. Please try again."
RESTARTING = "Sorry — Cadenza is restarting; try again in a minute."
GUILD_BUSY = "Sorry — this server already has several pieces on the way; try again when one is done."
Work = Callable[[Progress], Awaitable[Reply]]
Start = Callable[[Progress], Awaitable[Generation]]
"""Starts the engine work for a new piece, given where to report progress."""


def origin_of(interaction: discord.Interaction[Any]) -> Origin:
    return Origin(interaction.user.id, interaction.guild_id, interaction.channel_id)


async def tell(interaction: discord.Interaction[Any], text: str) -> None:
    """An ephemeral message: the response if none was sent yet, else a follow-up."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def run_job(interaction: discord.Interaction[Any], inflight: InFlight, working: str, work: Work,
                  ephemeral: bool = False) -> None:
    """Defer, run `work` (which reports progress), and edit the response into its reply."""
    if inflight.closing:
        await tell(interaction, RESTARTING)
        return
    if inflight.guild_full(interaction.guild_id):
        await tell(interaction, GUILD_BUSY)
        return
    async with inflight.track(interaction.guild_id):
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        services = interaction.client.services
        try:
            journal = await services.begin_job(working, origin_of(interaction), interaction.application_id,
                                               interaction.token)
        except Exception:  # the journal is a safety net: its failure must not lose the job itself
            log.exception("could not journal interaction %s", interaction.id)
            journal = None

        async def progress(ahead: int) -> None:
            try:
                await interaction.edit_original_response(content=progress_text(ahead, working))
            except discord.HTTPException as exc:  # progress is a courtesy; the job goes on
                log.debug("progress edit failed: %s", exc)

        error: str | None = None
        try:
            reply = await work(progress)
            await interaction.edit_original_response(content=reply.content, embeds=reply.embeds,
                                                      attachments=reply.files, view=reply.view)
        except RequestError as exc:
            error = f"Sorry, I couldn't read that request: {exc}"
        except ServiceError as exc:
            error = f"Sorry — {exc}"
        except Exception:
            log.exception("job for interaction %s failed", interaction.id)
            error = INTERNAL_ERROR
        if error is not None:
            await _fail(interaction, error)
        await services.end_job(journal, error)


async def piece_job(interaction: discord.Interaction[Any], bot: CadenzaBot, start: Start) -> None:
    """A job that makes a new piece (compose, variation, continuation, …), then its result message."""

    async def work(progress: Progress) -> Reply:
        return result_reply(await start(progress), interaction.user.display_name)

    await guarded_job(interaction, bot, work)


async def guarded_job(interaction: discord.Interaction[Any], bot: CadenzaBot, work: Work) -> None:
    """An engine job under the channel's rules: who may compose, the cooldown, whether results are public."""
    rules = await bot.services.rules(interaction.guild_id, interaction.channel_id)
    if rules.compose_role_ids and not _has_role(interaction.user, rules.compose_role_ids):
        roles = ", ".join(f"<@&{role}>" for role in rules.compose_role_ids)
        await tell(interaction, f"Sorry — here only members with {roles} may compose.")
        return
    wait = bot.cooldowns.take(interaction.user.id, rules.cooldown_s)
    if wait is not None:
        await tell(interaction, f"Easy there — you can compose again in {wait} s.")
        return
    await run_job(interaction, bot.inflight, COMPOSING, work, ephemeral=rules.visibility == "ephemeral")


def _has_role(user: discord.User | discord.Member, role_ids: list[str]) -> bool:
    return isinstance(user, discord.Member) and any(str(role.id) in role_ids for role in user.roles)


async def _fail(interaction: discord.Interaction[Any], text: str) -> None:
    """Remove the public "thinking…" response and say what went wrong to the user alone."""
    try:
        await interaction.delete_original_response()
    except discord.HTTPException as exc:
        log.debug("could not delete the response: %s", exc)
    await interaction.followup.send(text, ephemeral=True)
