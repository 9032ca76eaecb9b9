"""A local stand-in for Discord's REST API and gateway that the real discord.py client connects to.

`FakeDiscord` is an aiohttp application on 127.0.0.1 (a free port) serving what a bot needs:

- REST under `/api/v10`: `GET /gateway`, `/gateway/bot`, `/users/@me`, `/oauth2/applications/@me`;
  application command bulk overwrite and listing (global and per guild); the interaction callback
  (`POST /interactions/{id}/{token}/callback`, JSON or multipart); the interaction webhooks
  (`GET/PATCH/DELETE /webhooks/{app}/{token}/messages/{@original|id}`, follow-ups
  `POST /webhooks/{app}/{token}`), multipart uploads included;
- attachment downloads at the URLs its attachments carry (`/attachments/{id}/{filename}`);
- the gateway, a websocket at `/gateway` speaking Discord's JSON protocol: HELLO, heartbeat and ack,
  IDENTIFY → READY and GUILD_CREATE, RESUME → RESUMED, and dispatches pushed by the test with per-session
  sequence numbers (routed to the shard that owns the guild).

It records every REST call (`calls`: method, path, JSON or `payload_json`, uploaded files), the IDENTIFY
payloads, the synced commands and the messages as Discord would hold them (attachments with sizes and
content types, embeds, components, flags), and lets a test act as users: run a slash command with options
checked against the synced schema, type into an autocomplete, press a button.

Discord details that matter to discord.py: it parses a body as JSON only when the response's Content-Type
is exactly `application/json` (no charset); it uploads every file as `application/octet-stream` (Discord
derives the attachment's content type from the file, as this fake does from the suffix); and the callback is
called with `with_response=true`, answered with the interaction callback object.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import BodyPartReader, WSMsgType, web

API = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
ALL_PERMISSIONS = (1 << 53) - 1
EPHEMERAL, LOADING = 1 << 6, 1 << 7
CONTENT_TYPES = {".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".mid": "audio/midi", ".midi": "audio/midi",
                 ".png": "image/png", ".musicxml": "application/vnd.recordare.musicxml+xml"}
T = TypeVar("T")


def content_type_of(filename: str) -> str:
    """The content type Discord reports for an uploaded file of this name."""
    suffix = filename[filename.rfind("."):].lower() if "." in filename else ""
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON the way discord.py recognises it: Content-Type exactly `application/json`."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status)


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    """Without the `/api/v10` prefix."""
    query: dict[str, str]
    json: Any
    """The JSON body, or a multipart request's `payload_json`."""
    files: list[Upload] = field(default_factory=list)
    status: int = 0


CALL = web.RequestKey("call", Call)


@dataclass
class _Session:
    ws: web.WebSocketResponse
    id: str = field(default_factory=lambda: secrets.token_hex(16))
    seq: int = 0
    shard: tuple[int, int] = (0, 1)
    ready: bool = False


class FakeDiscord:
    """Discord for one bot, one guild and one text channel; see the module docstring."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._ids = itertools.count(1)
        self.application_id = self.snowflake()
        self.guild_id = self.snowflake()
        self.channel_id = self.snowflake()
        self.calls: list[Call] = []
        self.identifies: list[dict[str, Any]] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        """Synced application commands by guild id (None: global)."""
        self.messages: dict[str, dict[str, Any]] = {}
        self.callbacks: dict[str, dict[str, Any]] = {}
        """The callback payload each interaction (by token) was answered with."""
        self._interactions: dict[str, dict[str, Any]] = {}
        self._originals: dict[str, str] = {}
        self._followups: dict[str, list[str]] = {}
        self._files: dict[str, bytes] = {}
        self._members: dict[str, tuple[int, list[str]]] = {}
        """user id → (permissions, role ids) in the fake's guild; users not here have every permission."""
        self._roles: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        """Threads the bot created, by id."""
        self._sessions: list[_Session] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.advertised_gateway: str | None = None
        self.bot_user = self.make_user("Cadenza", bot=True, user_id=self.application_id)
        """What `/gateway` and `/gateway/bot` answer (default: this fake's own gateway)."""
        self.shard_count = 1
        """The shard count `/gateway/bot` recommends."""

    # ---- lifecycle and addresses

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record], client_max_size=64 * 2**20)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{filename}", self._download)
        routes = [
            ("GET", "/gateway", self._get_gateway), ("GET", "/gateway/bot", self._get_gateway),
            ("GET", "/users/@me", self._get_me), ("GET", "/oauth2/applications/@me", self._get_application),
            ("PUT", "/applications/{app}/commands", self._put_commands),
            ("GET", "/applications/{app}/commands", self._get_commands),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self._put_commands),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self._get_commands),
            ("POST", "/interactions/{id}/{token}/callback", self._callback),
            ("GET", "/webhooks/{app}/{token}/messages/{message}", self._get_message),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._edit_message),
            ("DELETE", "/webhooks/{app}/{token}/messages/{message}", self._delete_message),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("POST", "/channels/{channel}/threads", self._create_thread),
            ("POST", "/channels/{channel}/messages", self._post_message),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API + path, handler)
        app.router.add_route("*", API + "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        for session in list(self._sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        return self.url + API

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway"

    # ---- waiting for the bot

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 30.0) -> T:
        """`predicate()` once it is truthy, re-checked whenever the fake sees a request or a gateway message."""
        try:
            async with asyncio.timeout(timeout):
                while not (result := predicate()):
                    await self._changed.wait()
                return result
        except TimeoutError:
            seen = "\n".join(f"  {c.method} {c.path} -> {c.status}" for c in self.calls[-15:])
            raise AssertionError(f"timed out after {timeout} s; the last requests:\n{seen}") from None

    def connected(self, shards: int = 1) -> bool:
        """Whether `shards` sessions have been sent READY and their guilds."""
        return sum(s.ready for s in self._sessions) >= shards

    # ---- acting as users

    def snowflake(self) -> int:
        return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._ids) & 0xFFF)

    def make_user(self, name: str, *, bot: bool = False, user_id: int | None = None,
                  permissions: int = ALL_PERMISSIONS, roles: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
        """A user; as a member of the fake's guild they have `permissions` and `roles` (from `make_role`)."""
        user: dict[str, Any] = {"id": str(user_id or self.snowflake()), "username": name.lower(), "global_name": name,
                "discriminator": "0", "avatar": None, "bot": bot, "public_flags": 0}
        self._members[user["id"]] = (permissions, [role["id"] for role in roles])
        return user

    async def make_role(self, name: str) -> dict[str, Any]:
        """A new role in the fake's guild, announced to connected bots (GUILD_ROLE_CREATE)."""
        role: dict[str, Any] = {"id": str(self.snowflake()), "name": name, "color": 0, "hoist": False, "position": 1,
                "permissions": "0", "managed": False, "mentionable": True, "flags": 0}
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.guild_id), "role": role})
        self._roles[role["id"]] = role
        return role

    def attachment(self, filename: str, data: bytes) -> dict[str, Any]:
        """An attachment as a user's upload: its bytes are served at its `url`."""
        attachment_id = str(self.snowflake())
        self._files[attachment_id] = data
        url = f"{self.url}/attachments/{attachment_id}/{filename}"
        return {"id": attachment_id, "filename": filename, "size": len(data), "url": url, "proxy_url": url,
                "content_type": content_type_of(filename)}

    async def invoke(self, command: str, user: dict[str, Any], *, in_channel: str | None = None,
                     **options: Any) -> Sent:
        """`user` runs the slash command `/command` (`"group sub"` for a subcommand) with these options (checked
        against the synced schema; an attachment option takes a dict from `attachment`), in the fake's channel
        or in one of the threads the bot created (`in_channel`)."""
        return await self._send(self._interaction(2, self._command_data(command, options), user,
                                                  channel_id=in_channel))

    async def autocomplete(self, command: str, user: dict[str, Any], focused: str, **options: Any) -> Sent:
        """`user` has typed `options[focused]` into the option `focused` of `/command`."""
        data = self._command_data(command, options)
        for option in data["options"]:
            option["focused"] = option["name"] == focused
        return await self._send(self._interaction(4, data, user))

    async def press(self, message: dict[str, Any], custom_id: str, user: dict[str, Any]) -> Sent:
        """`user` presses the button with `custom_id` on `message`."""
        ids = [c.get("custom_id") for row in message["components"] for c in row.get("components", [])]
        assert custom_id in ids, f"no component {custom_id!r} on the message; it has {ids}"
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._send(self._interaction(3, data, user, message=message, channel_id=message["channel_id"]))

    async def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        """Send a DISPATCH to the session whose shard owns `guild_id` (the fake's guild by default)."""
        guild = guild_id or self.guild_id
        for session in self._sessions:
            if session.ready and (guild >> 22) % session.shard[1] == session.shard[0]:
                await self._send_dispatch(session, event, data)
                return
        raise AssertionError(f"no connected session for guild {guild}")

    # ---- what the bot sent, per interaction

    def original(self, token: str) -> dict[str, Any] | None:
        """The interaction's response message as it is now (None before the response or after its deletion)."""
        message_id = self._originals.get(token)
        return self.messages.get(message_id) if message_id else None

    def followups(self, token: str) -> list[dict[str, Any]]:
        return [self.messages[m] for m in self._followups.get(token, []) if m in self.messages]

    def calls_for(self, token: str) -> list[Call]:
        return [c for c in self.calls if f"/{token}/" in c.path + "/"]

    # ---- interactions

    def _command_data(self, command: str, options: dict[str, Any]) -> dict[str, Any]:
        name, _, sub = command.partition(" ")
        guild_commands = self.commands.get(self.guild_id, [])
        schema = next((c for c in guild_commands + self.commands.get(None, []) if c["name"] == name), None)
        assert schema is not None, f"/{name} was never synced"
        data: dict[str, Any] = {"id": schema["id"], "name": name, "type": 1, "options": []}
        if schema in guild_commands:
            data["guild_id"] = str(self.guild_id)
        target = data
        if sub:  # a subcommand: its options nest inside it
            subs = {o["name"]: o for o in schema.get("options", []) if o["type"] == 1}
            assert sub in subs, f"/{name} has no subcommand {sub!r}; it has {sorted(subs)}"
            schema, target = subs[sub], {"name": sub, "type": 1, "options": []}
            data["options"].append(target)
        specs = {o["name"]: o for o in schema.get("options", [])}
        for option, value in options.items():
            assert option in specs, f"/{command} has no option {option!r}; it has {sorted(specs)}"
            kind = specs[option]["type"]
            if kind == 11:  # attachment: the value is its id, the attachment itself goes in `resolved`
                data.setdefault("resolved", {}).setdefault("attachments", {})[value["id"]] = value
                value = value["id"]
            elif kind == 8:  # role: likewise
                data.setdefault("resolved", {}).setdefault("roles", {})[value["id"]] = value
                value = value["id"]
            target["options"].append({"name": option, "type": kind, "value": value})
        return data

    def _interaction(self, kind: int, data: dict[str, Any], user: dict[str, Any],
                     message: dict[str, Any] | None = None, channel_id: str | None = None) -> dict[str, Any]:
        guild, channel = str(self.guild_id), channel_id or str(self.channel_id)
        channel_payload = self.threads[channel] if channel in self.threads else self._channel()
        permissions, roles = self._members.get(user["id"], (ALL_PERMISSIONS, []))
        payload: dict[str, Any] = {
            "id": str(self.snowflake()), "application_id": str(self.application_id), "type": kind, "data": data,
            "guild_id": guild, "guild": {"id": guild, "locale": "en-US", "features": []},
            "channel_id": channel, "channel": {**channel_payload, "permissions": str(ALL_PERMISSIONS)},
            "member": {"user": user, "roles": roles, "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False,
                       "mute": False, "flags": 0, "pending": False, "nick": None, "avatar": None,
                       "communication_disabled_until": None, "permissions": str(permissions)},
            "token": f"interaction-{secrets.token_urlsafe(24)}", "version": 1,
            "app_permissions": str(ALL_PERMISSIONS), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": guild}, "context": 0,
            "attachment_size_limit": 10 * 2**20}
        if message is not None:
            payload["message"] = message
        return payload

    async def _send(self, interaction: dict[str, Any]) -> Sent:
        self._interactions[interaction["token"]] = interaction
        await self.dispatch("INTERACTION_CREATE", interaction)
        return Sent(self, interaction)

    # ---- payloads

    def _channel(self) -> dict[str, Any]:
        return {"id": str(self.channel_id), "type": 0, "guild_id": str(self.guild_id), "name": "music",
                "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
                "last_message_id": None, "rate_limit_per_user": 0, "flags": 0}

    def _guild(self) -> dict[str, Any]:
        guild = str(self.guild_id)
        everyone = {"id": guild, "name": "@everyone", "color": 0, "hoist": False, "position": 0,
                    "permissions": str(ALL_PERMISSIONS), "managed": False, "mentionable": False, "flags": 0}
        return {"id": guild, "name": "Fake Server", "icon": None, "splash": None, "discovery_splash": None,
                "owner_id": str(self.snowflake()), "afk_channel_id": None, "afk_timeout": 300,
                "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
                "roles": [everyone, *self._roles.values()], "emojis": [], "stickers": [], "features": [],
                "mfa_level": 0,
                "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
                "vanity_url_code": None, "description": None, "banner": None, "premium_tier": 0,
                "preferred_locale": "en-US", "public_updates_channel_id": None, "nsfw_level": 0,
                "premium_progress_bar_enabled": False, "joined_at": "2024-01-01T00:00:00+00:00", "large": False,
                "member_count": 2, "members": [], "channels": [self._channel()], "threads": [], "presences": [],
                "voice_states": [], "stage_instances": [], "guild_scheduled_events": [], "unavailable": False}

    def _new_message(self, payload: dict[str, Any], files: list[Upload], flags: int = 0,
                     channel_id: str | None = None) -> dict[str, Any]:
        message_id = str(self.snowflake())
        message: dict[str, Any] = {
            "id": message_id, "channel_id": channel_id or str(self.channel_id), "guild_id": str(self.guild_id),
            "author": self.bot_user, "content": "", "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": [], "components": [], "pinned": False, "type": 20, "flags": flags,
            "application_id": str(self.application_id), "webhook_id": str(self.application_id)}
        self._apply(message, payload, files)
        self.messages[message_id] = message
        return message

    def _apply(self, message: dict[str, Any], payload: dict[str, Any], files: list[Upload]) -> None:
        """Edit `message` as Discord does: fields present replace, `attachments` lists the files to keep."""
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else empty
        if "flags" in payload and payload["flags"] is not None:
            message["flags"] = payload["flags"] | (message["flags"] & EPHEMERAL)
        uploaded = [self._store_upload(f) for f in files]
        if "attachments" in payload:
            kept = {str(a["id"]): a for a in message["attachments"]}
            message["attachments"] = [kept[str(a["id"])] if str(a["id"]) in kept else uploaded[int(a["id"])]
                                      for a in payload["attachments"] or []]
        else:
            message["attachments"] = message["attachments"] + uploaded

    def _store_upload(self, upload: Upload) -> dict[str, Any]:
        attachment_id = str(self.snowflake())
        self._files[attachment_id] = upload.data
        url = f"{self.url}/attachments/{attachment_id}/{upload.filename}"
        return {"id": attachment_id, "filename": upload.filename, "size": upload.size, "url": url,
                "proxy_url": url, "content_type": content_type_of(upload.filename)}

    # ---- REST

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith(API):
            return await handler(request)
        call = await self._read(request)
        self.calls.append(call)
        request[CALL] = call
        needs_token = not request.path.startswith((API + "/interactions/", API + "/webhooks/"))
        if needs_token and request.headers.get("Authorization") != f"Bot {self.token}":
            response: web.StreamResponse = error(401, 0, "401: Unauthorized")
        else:
            response = await handler(request)
        call.status = response.status
        self._notify()
        return response

    async def _read(self, request: web.Request) -> Call:
        path = request.path[len(API):]
        call = Call(request.method, path, dict(request.query), None)
        if request.content_type == "application/json":
            call.json = await request.json()
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                assert isinstance(part, BodyPartReader)
                if part.name == "payload_json":
                    call.json = json.loads(await part.text())
                else:
                    data = bytes(await part.read(decode=True))
                    call.files.append(Upload(part.name or "", part.filename or "",
                                             part.headers.get("Content-Type", ""), data))
        return call

    async def _unknown(self, request: web.Request) -> web.Response:
        return error(404, 0, f"404: Not Found ({request.method} {request.path})")

    async def _get_gateway(self, request: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.advertised_gateway or self.gateway_url, "shards": self.shard_count,
                              "session_start_limit": limits})

    async def _get_me(self, request: web.Request) -> web.Response:
        return json_response({**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response({
            "id": str(self.application_id), "name": "Cadenza", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "owner": self.make_user("Owner"),
            "verify_key": secrets.token_hex(32), "flags": 0, "team": None, "summary": ""})

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = int(request.match_info["guild"]) if "guild" in request.match_info else None
        commands = []
        for command in request[CALL].json:
            synced = {"id": str(self.snowflake()), "application_id": str(self.application_id), "version": "1",
                      "type": 1, "default_member_permissions": None, "nsfw": False, **command}
            if guild is not None:
                synced["guild_id"] = str(guild)
            commands.append(synced)
        self.commands[guild] = commands
        return json_response(commands)

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild = int(request.match_info["guild"]) if "guild" in request.match_info else None
        return json_response(self.commands.get(guild, []))

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        token, body = request.match_info["token"], request[CALL].json
        interaction = self._interactions.get(token)
        if interaction is None or interaction["id"] != request.match_info["id"]:
            return error(404, 10062, "Unknown interaction")
        if token in self.callbacks:
            return error(400, 40060, "Interaction has already been acknowledged.")
        self.callbacks[token] = body
        kind, data = body["type"], body.get("data") or {}
        ephemeral = bool(data.get("flags", 0) & EPHEMERAL)
        message = None
        if kind in (4, 5):  # a message, or "thinking…" until the response is edited
            flags = (EPHEMERAL if ephemeral else 0) | (LOADING if kind == 5 else 0)
            message = self._new_message({k: v for k, v in data.items() if k != "flags"},
                                        request[CALL].files, flags, interaction["channel_id"])
            self._originals[token] = message["id"]
        elif kind == 7:  # update the message the component is on
            message = self.messages.get(interaction["message"]["id"], interaction["message"])
            self._apply(message, data, request[CALL].files)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        answer: dict[str, Any] = {"interaction": {
            "id": interaction["id"], "type": interaction["type"], "response_message_loading": kind == 5,
            "response_message_ephemeral": ephemeral}}
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        else:
            answer["resource"] = {"type": kind}
        return json_response(answer)

    def _webhook_message(self, request: web.Request) -> dict[str, Any] | None:
        token, message_id = request.match_info["token"], request.match_info["message"]
        if message_id == "@original":
            return self.original(token)
        return self.messages.get(message_id) if message_id in self._followups.get(token, []) else None

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        return json_response(message) if message is not None else error(404, 10008, "Unknown Message")

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if message is None:
            return error(404, 10008, "Unknown Message")
        self._apply(message, request[CALL].json or {}, request[CALL].files)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = "2024-01-01T00:00:01+00:00"
        return json_response(message)

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if message is None:
            return error(404, 10008, "Unknown Message")
        del self.messages[message["id"]]
        return web.Response(status=204)

    async def _followup(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.callbacks:
            return error(404, 10015, "Unknown Webhook")
        payload = request[CALL].json or {}
        message = self._new_message({k: v for k, v in payload.items() if k != "flags"}, request[CALL].files,
                                    flags=payload.get("flags") or 0,
                                    channel_id=self._interactions[token]["channel_id"])
        message["type"] = 0
        self._followups.setdefault(token, []).append(message["id"])
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)

    async def _create_thread(self, request: web.Request) -> web.Response:
        """A public thread in the fake's channel, without a starter message."""
        if request.match_info["channel"] != str(self.channel_id):
            return error(404, 10003, "Unknown Channel")
        body = request[CALL].json or {}
        thread = {"id": str(self.snowflake()), "type": body.get("type", 11), "guild_id": str(self.guild_id),
                  "parent_id": str(self.channel_id), "name": body["name"], "owner_id": str(self.application_id),
                  "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0, "member_count": 1,
                  "flags": 0, "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                                                  "archive_timestamp": "2024-01-01T00:00:00+00:00"}}
        self.threads[thread["id"]] = thread
        return json_response(thread, status=201)

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if channel != str(self.channel_id) and channel not in self.threads:
            return error(404, 10003, "Unknown Channel")
        message = self._new_message(request[CALL].json or {}, request[CALL].files, channel_id=channel)
        message["type"] = 0
        message.pop("webhook_id")
        return json_response(message)

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel or thread (not interaction responses), oldest first."""
        return [m for m in self.messages.values() if m["channel_id"] == channel_id and m["type"] == 0
                and "webhook_id" not in m]

    async def _download(self, request: web.Request) -> web.Response:
        data = self._files.get(request.match_info["id"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type=content_type_of(request.match_info["filename"]))

    # ---- gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = _Session(ws)
        self._sessions.append(session)
        try:
            await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_message(session, json.loads(msg.data))
        finally:
            self._sessions.remove(session)
            self._notify()
        return ws

    async def _on_gateway_message(self, session: _Session, msg: dict[str, Any]) -> None:
        op, data = msg["op"], msg.get("d") or {}
        if op == 1:  # heartbeat
            await session.ws.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:  # identify
            self.identifies.append(data)
            if data.get("token") != self.token:
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            shard_id, shards = data.get("shard") or (0, 1)
            session.shard = (shard_id, shards)
            owns_guild = (self.guild_id >> 22) % session.shard[1] == session.shard[0]
            await self._send_dispatch(session, "READY", {
                "v": 10, "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0},
                "guilds": [{"id": str(self.guild_id), "unavailable": True}] if owns_guild else [],
                "session_id": session.id, "resume_gateway_url": self.gateway_url, "shard": list(session.shard),
                "application": {"id": str(self.application_id), "flags": 0}, "private_channels": [],
                "relationships": [], "presences": [], "geo_ordered_rtc_regions": [], "guild_join_requests": []})
            if owns_guild:
                await self._send_dispatch(session, "GUILD_CREATE", self._guild())
            session.ready = True
        elif op == 6:  # resume
            session.ready = True
            await self._send_dispatch(session, "RESUMED", {})
        self._notify()

    async def _send_dispatch(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        await session.ws.send_json({"op": 0, "t": event, "s": session.seq, "d": data})


@dataclass
class Sent:
    """An interaction the fake sent to the bot, and what the bot answered."""

    fake: FakeDiscord
    payload: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    async def callback(self) -> dict[str, Any]:
        """The callback the bot answered with (waits for it)."""
        return await self.fake.wait_for(lambda: self.fake.callbacks.get(self.token))

    async def response(self, until: Callable[[dict[str, Any]], bool] = lambda m: True) -> dict[str, Any]:
        """The response message once `until(message)` holds (waits for it)."""
        def ready() -> dict[str, Any] | None:
            message = self.fake.original(self.token)
            return message if message is not None and until(message) else None
        return await self.fake.wait_for(ready)

    async def followup(self) -> dict[str, Any]:
        """The first follow-up message (waits for it)."""
        return (await self.fake.wait_for(lambda: self.fake.followups(self.token)))[0]

    def calls(self) -> list[Call]:
        return self.fake.calls_for(self.token)
