from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CadenzaBot
from bot.errors import ServiceError
from bot.jobs import guarded_job, origin_of, run_job, tell
from bot.messages import Reply, result_files, result_reply
from bot.options import TEXT_LIMIT
from bot.services import Generation, Proposals
from bot.worker import Progress
from engine.requests import RequestError, parse_request

Interaction = discord.Interaction[CadenzaBot]
Button = discord.ui.Button[discord.ui.View]
LETTERS = "ABCDEFGHIJ"
PROPOSING = "🎼 Writing candidate next sections…"
COUNTING = "🗳️ Counting the votes and putting the piece together…"
EXPORTING = "📼 Putting the piece together…"


class VoteButton(discord.ui.DynamicItem[Button],
                 template=r"cadenza:jamvote:(?P<round>[0-9]+):(?P<gen>[0-9a-f]{12}):(?P<letter>[A-J])"):
    """A vote for one proposal of a jam round (the jam is the channel's)."""

    def __init__(self, round_: int, generation_id: str, letter: str) -> None:
        super().__init__(discord.ui.Button(style=discord.ButtonStyle.primary, label=f"Vote {letter}", emoji="🗳️",
                                           custom_id=f"cadenza:jamvote:{round_}:{generation_id}:{letter}"))
        self.round, self.generation_id, self.letter = round_, generation_id, letter

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> VoteButton:
        return cls(int(match["round"]), match["gen"], match["letter"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch("cadenza_jam_vote", interaction, self.round, self.generation_id, self.letter)


def proposals_reply(proposals: Proposals, requested_by: str) -> Reply:
    """The round's candidates: an embed and the files of each, and a vote button per candidate."""
    embeds, files = [], []
    view = discord.ui.View(timeout=None)
    for letter, candidate in zip(LETTERS, proposals.candidates, strict=False):
        chords = candidate.tags.get("chords", [])[-8:]
        embed = discord.Embed(title=f"Proposal {letter} · now {candidate.request.bars} bars",
                              description=f"New bars: {' | '.join(chords) or '—'}", colour=0x9575CD)
        embed.add_field(name="ID", value=f"`{candidate.id}`")
        embed.set_image(url=f"attachment://{candidate.files['image'].name}")
        embeds.append(embed)
        files += result_files(candidate)
        view.add_item(VoteButton(proposals.round, candidate.id, letter))
    content = (f"Round {proposals.round}, asked for by {requested_by}: listen, then vote. "
               "`/jam next` appends the section with the most votes.")
    return Reply(embeds, files, view, content)


class Jam(commands.Cog):
    jam = app_commands.Group(name="jam", description="Grow a piece together: propose sections, vote, append",
                             guild_only=True)

    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @jam.command(description="Start a jam: Cadenza writes an opening in a new thread")
    @app_commands.describe(text="what the opening should be, e.g. “funky rock in E, 110 bpm, 8 bars”")
    async def start(self, interaction: Interaction, text: app_commands.Range[str, 1, TEXT_LIMIT]) -> None:
        try:
            request = parse_request(text)
        except RequestError as exc:
            await tell(interaction, f"Sorry, I couldn't read that request: {exc}")
            return
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            await tell(interaction, "Sorry — a jam needs a text channel or a thread.")
            return

        async def work(progress: Progress) -> Reply:
            thread = channel if isinstance(channel, discord.Thread) else await channel.create_thread(
                name=f"🎶 Jam: {text}"[:100], type=discord.ChannelType.public_thread)
            opening = await self.bot.services.jam_start(thread.id, request, origin_of(interaction), progress)
            if thread is not channel:
                await thread.send(f"🎶 {interaction.user.mention} started a jam here with `{opening.id}` "
                                  "(the piece so far). `/jam propose` asks Cadenza for candidate next sections; "
                                  "everyone votes; `/jam next` appends the winner; `/jam export` posts the piece.")
            reply = result_reply(opening, interaction.user.display_name)
            reply.content = f"🎶 Jam open in {thread.mention}: propose the next section there with `/jam propose`."
            return reply

        await guarded_job(interaction, self.bot, work)

    @jam.command(description="Ask Cadenza for candidate next sections of this jam's piece, to vote on")
    async def propose(self, interaction: Interaction) -> None:
        async def work(progress: Progress) -> Reply:
            proposals = await self.bot.services.jam_propose(interaction.channel_id or 0, origin_of(interaction),
                                                             progress)
            return proposals_reply(proposals, interaction.user.display_name)

        await guarded_job(interaction, self.bot, work)

    @jam.command(description="Append the proposal with the most votes; the next round begins")
    async def next(self, interaction: Interaction) -> None:
        async def work(progress: Progress) -> Reply:
            winner, votes = await self.bot.services.jam_next(interaction.channel_id or 0)
            reply = result_reply(winner, interaction.user.display_name)
            reply.content = (f"🏆 `{winner.id}` won with {votes} vote{'s' if votes != 1 else ''}: the piece is now "
                             f"{winner.request.bars} bars. `/jam propose` for the next section.")
            return reply

        await run_job(interaction, self.bot.inflight, COUNTING, work)

    @jam.command(description="Post this jam's whole piece so far")
    async def export(self, interaction: Interaction) -> None:
        async def work(progress: Progress) -> Reply:
            piece: Generation = await self.bot.services.jam_piece(interaction.channel_id or 0, progress)
            reply = result_reply(piece, interaction.user.display_name)
            reply.content = f"📼 The jam so far: {piece.request.bars} bars."
            return reply

        await run_job(interaction, self.bot.inflight, EXPORTING, work)

    @commands.Cog.listener()
    async def on_cadenza_jam_vote(self, interaction: Interaction, round_: int, generation_id: str,
                                  letter: str) -> None:
        try:
            tally = await self.bot.services.jam_vote(interaction.channel_id or 0, round_, interaction.user.id,
                                                     generation_id)
        except ServiceError as exc:  # a vote from an earlier round, or no jam here any more
            await tell(interaction, f"Sorry — {exc}")
            return
        counts = ", ".join(f"`{gen}` {n}" for gen, n in sorted(tally.items(), key=lambda kv: -kv[1]))
        await tell(interaction, f"Your vote for {letter} is in. Votes so far: {counts}.")


async def setup(bot: CadenzaBot) -> None:
    bot.add_dynamic_items(VoteButton)
    await bot.add_cog(Jam(bot))
