"""Hundreds of malformed and hostile uploads through the untrusted-file reader: each refused (or read) in
under 5 s and 512 MiB? SPEC §7's robustness target; the figures go into docs/benchmarks.md.

Run: `python -m bench.hostile_files [--json]`. The files are made here, from a seed, out of real pieces
of the training data (Nottingham and POP909 MIDI files, and MusicXML and ABC written from them), cut,
bit-flipped, padded with noise, or built to be expensive (millions of ticks, tens of thousands of notes,
thousands of tracks, deep XML, zip bombs, absurd ABC lengths).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import struct
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engine.mir.loading import MAX_BYTES, UnreadableFile, load_score_bytes
from engine.render.musicxml import write_musicxml
from engine.settings import get_settings

Case = tuple[str, str, bytes]
"""(category, file name, bytes)."""


def _vlq(value: int) -> bytes:
    """A MIDI variable-length quantity."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _midi(tracks: list[bytes], division: int = 480, fmt: int = 1) -> bytes:
    head = b"MThd" + struct.pack(">IHHH", 6, fmt, len(tracks), division)
    return head + b"".join(b"MTrk" + struct.pack(">I", len(t)) + t for t in tracks)


def _notes(count: int, delta: int = 0, length: int = 1) -> bytes:
    """`count` notes as note-on/note-off pairs (running status), each `length` ticks, `delta` apart."""
    body = bytearray(b"\x00\x90")
    for i in range(count):
        pitch = 36 + i % 48
        body += bytes([pitch, 100]) + _vlq(length) + bytes([pitch, 0]) + _vlq(delta)
    return bytes(body[:-len(_vlq(delta))]) + b"\x00\xff\x2f\x00"


def _mxl(xml: bytes, name: str = "score.musicxml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml", '<?xml version="1.0"?><container><rootfiles>'
                         f'<rootfile full-path="{name}"/></rootfiles></container>')
        archive.writestr(name, xml)
    return buffer.getvalue()


def _zip_bomb(size: int) -> bytes:
    """A .mxl whose score unpacks to `size` bytes of spaces (written in chunks, so this process stays small)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml", '<?xml version="1.0"?><container><rootfiles>'
                         '<rootfile full-path="score.musicxml"/></rootfiles></container>')
        with archive.open("score.musicxml", "w", force_zip64=True) as member:
            member.write(b"<?xml version='1.0'?><score-partwise>")
            chunk = b" " * 2**20
            for _ in range(size // len(chunk)):
                member.write(chunk)
            member.write(b"</score-partwise>")
    return buffer.getvalue()


def _flip(data: bytes, rng: random.Random, flips: int) -> bytes:
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def real_midi(datasets: Path, count: int, rng: random.Random) -> list[bytes]:
    """`count` real MIDI files from Nottingham and POP909 (those under the upload limit)."""
    paths = sorted((datasets / "nottingham" / "MIDI").glob("*.mid")) + sorted((datasets / "pop909").glob("*/*.mid"))
    chosen = [p.read_bytes() for p in rng.sample(paths, min(len(paths), 4 * count))]
    return [d for d in chosen if len(d) <= MAX_BYTES][:count]


def cases(datasets: Path, seed: int = 0) -> Iterator[Case]:
    """The hostile corpus, in categories."""
    rng = random.Random(seed)
    midis = real_midi(datasets, 40, rng)
    for i in range(50):  # a MIDI header, then noise
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(8, 20_000)))
        yield "MIDI header + random bytes", f"noise{i}.mid", b"MThd" + noise
    for i in range(60):  # real files cut anywhere
        data = midis[i % len(midis)]
        yield "real MIDI, truncated", f"cut{i}.mid", data[:rng.randrange(14, len(data))]
    for i in range(60):  # real files with bits flipped
        data = midis[i % len(midis)]
        yield "real MIDI, bits flipped", f"flip{i}.mid", _flip(data, rng, rng.choice((1, 4, 32, 256)))
    crafted: list[tuple[str, bytes]] = [
        ("claims-huge-track", b"MThd" + struct.pack(">IHHH", 6, 1, 1, 480) + b"MTrk" + struct.pack(">I", 2**31)
         + _notes(10)),
        ("claims-65535-tracks", b"MThd" + struct.pack(">IHHH", 6, 1, 65535, 480)
         + b"MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"),
        ("3000-empty-tracks", _midi([b"\x00\xff\x2f\x00"] * 3000 + [_notes(8, 480, 240)])),
        ("division-0", _midi([_notes(16, 480, 240)], division=0)),
        ("division-1", _midi([_notes(16, 480, 240)], division=1)),
        ("division-smpte", _midi([_notes(16, 480, 240)], division=0xE728)),
        ("tempo-0", _midi([b"\x00\xff\x51\x03\x00\x00\x00" + _notes(16, 480, 240)])),
        ("tempo-max", _midi([b"\x00\xff\x51\x03\xff\xff\xff" + _notes(16, 480, 240)])),
        ("one-huge-delta", _midi([_notes(2, 0x0FFFFFFF, 1)])),
        ("many-large-deltas", _midi([_notes(200, 0x00FFFFFF, 1)])),
        ("note-0x0fffffff-long", _midi([_notes(1, 0, 0x0FFFFFFF)])),
        ("40000-notes", _midi([_notes(40_000)])),
        ("20001-notes", _midi([_notes(20_001, 1, 1)])),
        ("huge-sysex-length", _midi([b"\x00\xf0" + _vlq(0x0FFFFFFF) + b"\x01\x02" + _notes(4)])),
        ("huge-meta-length", _midi([b"\x00\xff\x01" + _vlq(0x0FFFFFFF) + b"abc" + _notes(4)])),
        ("60000-tempo-changes", _midi([b"".join(b"\x01\xff\x51\x03\x07\xa1\x20" for _ in range(30_000))
                                       + _notes(8, 480, 240)])),
        ("30000-time-signatures", _midi([b"".join(b"\x01\xff\x58\x04\x07\x03\x18\x08" for _ in range(25_000))
                                         + _notes(8, 480, 240)])),
        ("30000-key-signatures", _midi([b"".join(b"\x00\xff\x59\x02\x07\x01" for _ in range(30_000))
                                        + _notes(8, 480, 240)])),
        ("running-status-without-status", _midi([b"\x00\x3c\x40\x00\x3c\x00\x00\xff\x2f\x00"])),
        ("no-end-of-track", _midi([_notes(16, 480, 240)[:-4]])),
        ("type-2-file", _midi([_notes(16, 480, 240)] * 3, fmt=2)),
        ("pitch-bends-only", _midi([b"".join(b"\x00\xe0\x00\x40" for _ in range(40_000)) + b"\x00\xff\x2f\x00"])),
        ("controllers-only", _midi([b"".join(b"\x00\xb0\x07\x64" for _ in range(40_000)) + b"\x00\xff\x2f\x00"])),
        ("notes-never-end", _midi([b"".join(b"\x00\x90" + bytes([36 + i % 48, 100]) for i in range(20_000))
                                   + b"\x00\xff\x2f\x00"])),
        ("header-only", b"MThd" + struct.pack(">IHHH", 6, 1, 0, 480)),
        ("header-length-huge", b"MThd" + struct.pack(">IHHH", 2**31, 1, 1, 480) + _notes(4)),
    ]
    for name, data in crafted:
        yield "crafted MIDI", f"{name}.mid", data[:MAX_BYTES]
    xml = write_musicxml(_first_readable(midis))
    deep = b"<?xml version='1.0'?><score-partwise>" + b"<part>" * 50_000 + b"</part>" * 50_000 + b"</score-partwise>"
    measure = (b"<measure number='1'><attributes><divisions>1</divisions></attributes>"
               b"<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note></measure>")
    many = (b"<?xml version='1.0'?><score-partwise><part-list><score-part id='P1'><part-name>x</part-name>"
            b"</score-part></part-list><part id='P1'>" + measure * 1500 + b"</part></score-partwise>")
    huge_duration = many[:400].replace(b"<duration>1</duration>", b"<duration>999999999999</duration>")
    for i in range(20):
        yield "MusicXML, truncated", f"cut{i}.musicxml", xml[:rng.randrange(200, len(xml))]
    for i in range(20):
        yield "MusicXML, bits flipped", f"flip{i}.musicxml", _flip(xml, rng, rng.choice((1, 8, 64)))
    laughs = b"".join(b"<!ENTITY %c '%s'>" % (98 + k, b"&%c;" % (97 + k) * 10) for k in range(8))
    for name, data in [("deep-nesting", deep[:MAX_BYTES]), ("1500-measures", many),
                       ("huge-duration", huge_duration + many[400:]),
                       ("billion-laughs", b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'aaaaaaaaaa'>" + laughs
                        + b"]><score-partwise>&i;</score-partwise>"),
                       ("external-entity", b"<?xml version='1.0'?><!DOCTYPE s [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                        b"<score-partwise>&x;</score-partwise>")]:
        yield "crafted MusicXML", f"{name}.musicxml", data
    bomb = _zip_bomb(200 * 2**20)
    for name, data in [("zip-bomb", bomb), ("real", _mxl(xml)), ("wrong-rootfile", _mxl(xml, "../../etc/passwd")),
                       ("truncated", _mxl(xml)[:len(_mxl(xml)) // 2]), ("not-xml-inside", _mxl(b"\x00" * 5000)),
                       ("nested-zip", _mxl(_mxl(xml)))]:
        yield "compressed MusicXML", f"{name}.mxl", data[:MAX_BYTES]
    for i in range(20):
        yield "compressed MusicXML, bits flipped", f"flip{i}.mxl", _flip(_mxl(xml), rng, rng.choice((1, 8, 64)))
    abc = b"X:1\nT:Tune\nM:6/8\nL:1/8\nK:D\n|:DFA dfa|gfe dcB|AFA dAF|GEC D3:|\n"
    for name, data in [("huge-length", abc.replace(b"D3", b"D99999999")), ("meter-0", abc.replace(b"6/8", b"0/8")),
                       ("meter-huge", abc.replace(b"6/8", b"99999/1")), ("unit-0", abc.replace(b"1/8", b"1/0")),
                       ("tuplets", abc.replace(b"DFA", b"(9DFA" * 2000)), ("many-voices", b"X:1\nK:C\n" + b"".join(
                           b"V:%d\nCDEF|\n" % v for v in range(3000))), ("repeats", abc.replace(b"|:", b"|:" * 20_000)),
                       ("garbage", b"X:1\nK:C\n" + bytes(rng.randrange(32, 127) for _ in range(50_000)))]:
        yield "crafted ABC", f"{name}.abc", data[:MAX_BYTES]
    for i in range(20):
        yield "ABC, bits flipped", f"flip{i}.abc", _flip(abc * 20, rng, rng.choice((1, 8, 64)))
    for i, (suffix, head) in enumerate([(".mid", b"MThd"), (".mxl", b"PK"), (".abc", b"X:1\nK:C\n"),
                                         (".musicxml", b"<score-partwise>")]):
        yield "over the size limit", f"big{i}{suffix}", head + bytes(MAX_BYTES + 1)


def _first_readable(midis: list[bytes]) -> Any:
    for data in midis:
        try:
            return load_score_bytes(data, "a.mid")[0]
        except UnreadableFile:
            continue
    raise RuntimeError("no readable MIDI among the samples")


def _children_peak_mib() -> float:
    """The largest peak RSS of any child process so far."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _rss_mib() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(seed: int = 0, on_case: Callable[[str, str, str, float], None] | None = None) -> dict[str, Any]:
    """Every case through `load_score_bytes`: outcome, seconds, and the readers' peak memory.

    A reading child is forked from this process and its resident memory starts with the pages it shares
    with it; what a file costs is the child's peak less this process's resident memory at the fork. Only
    the largest peak so far is visible (RUSAGE_CHILDREN), so a case is charged when it raises it."""
    datasets = get_settings().datasets_dir
    peak_extra, peak_case = 0.0, ""
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    slowest: list[tuple[float, str]] = []
    reasons: Counter[str] = Counter()
    for category, name, data in cases(datasets, seed):
        before_peak, inherited = _children_peak_mib(), _rss_mib()
        started = time.perf_counter()
        try:
            load_score_bytes(data, name)
            outcome = "read"
        except UnreadableFile as exc:
            outcome = "refused"
            reasons[str(exc).split(":")[0]] += 1
        seconds = time.perf_counter() - started
        if _children_peak_mib() > before_peak and _children_peak_mib() - inherited > peak_extra:
            peak_extra, peak_case = _children_peak_mib() - inherited, name
        by_category[category][outcome] += 1
        slowest.append((seconds, name))
        if on_case:
            on_case(category, name, outcome, seconds)
    slowest.sort(reverse=True)
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "seed": seed,
            "files": sum(sum(c.values()) for c in by_category.values()),
            "by_category": {k: dict(v) for k, v in by_category.items()},
            "refusal_reasons": dict(reasons.most_common()),
            "max_seconds": round(slowest[0][0], 3), "slowest": [(n, round(s, 3)) for s, n in slowest[:5]],
            "median_seconds": round(slowest[len(slowest) // 2][0], 3),
            "reader_peak_rss_mib": round(_children_peak_mib(), 1),
            "reader_peak_beyond_inherited_mib": round(peak_extra, 1), "reader_peak_case": peak_case}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.seed)
    print(json.dumps(report, indent=None if args.json else 1, ensure_ascii=False))


if __name__ == "__main__":
    main()
