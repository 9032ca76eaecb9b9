"""Word tables of the request grammar (English and Chinese); the rules that use them live in the parser.

Phrases are written as a person would type them; the lexicon normalises them with the same tokenizer
as requests, so "lo-fi", "Acoustic Guitar (nylon)" and "小提琴" need no special spelling here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..music.score import Role

# --- numbers -------------------------------------------------------------------------------------------
ENGLISH_UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
ENGLISH_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9,
}
CHINESE_MULTIPLIERS: dict[str, int] = {"十": 10, "百": 100}

# --- numbers with a unit or a keyword ------------------------------------------------------------------
BAR_UNITS = ("bars", "bar", "measures", "measure", "小节")
TEMPO_UNITS = ("bpm", "beats per minute")
BAR_KEYWORDS = ("bars", "measures", "length")
TEMPO_KEYWORDS = ("tempo", "bpm", "at", "速度")
SEED_KEYWORDS = ("seed", "random seed", "种子")
NUMBER_CONNECTORS = ("of", "at", "is")
"""Words allowed between a keyword and its number: "tempo of 90", "tempo at 90"."""
NEEDS_NUMBER = ("bars", "bar", "measures", "measure", "bpm", "seed", "小节", "种子")
"""Words that mean nothing without a number next to them."""

# --- keys ----------------------------------------------------------------------------------------------
NOTE_LETTERS: dict[str, int] = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
ACCIDENTALS: dict[str, int] = {"#": 1, "♯": 1, "b": -1, "♭": -1, "sharp": 1, "flat": -1, "升": 1, "降": -1}
MODE_WORDS: dict[str, str | None] = {
    "major": "major", "maj": "major", "ionian": "major", "minor": "minor", "min": "minor",
    "aeolian": "minor", "dorian": "dorian", "mixolydian": "mixolydian", "lydian": "lydian",
    "phrygian": "phrygian", "locrian": "locrian", "大调": "major", "小调": "minor", "调": None,
}
"""Mode words; "调" ("key", as in "D调") names no mode."""
KEY_MARKERS = ("in", "key", "in the key of", "key of")
"""Words after which a bare note letter is a key ("in C", "key of a")."""
DEFAULT_TONICS: dict[str, tuple[int, int]] = {
    "pop": (0, 9), "rock": (4, 4), "jazz": (5, 2), "blues": (9, 9), "folk": (2, 4), "classical": (0, 2),
    "lofi": (5, 2),
}
"""Per style, the tonic used (major-like, minor-like mode) when a mode or mood is asked for without one."""

# --- meters, tempo words, moods, models ----------------------------------------------------------------
METER_WORDS: dict[str, str] = {
    "waltz": "3/4", "圆舞曲": "3/4", "华尔兹": "3/4", "三拍子": "3/4", "四拍子": "4/4", "jig": "6/8",
}
PACE_WORDS: dict[str, float] = {
    "very slow": -2, "largo": -2, "lento": -2, "adagio": -1.5, "slow": -1, "slowly": -1, "andante": -1,
    "downtempo": -1, "ballad": -1, "laid back": -1, "moderate": 0, "moderato": 0, "medium": 0,
    "medium tempo": 0, "mid tempo": 0, "allegretto": 0.5, "fast": 1, "quick": 1, "up tempo": 1,
    "uptempo": 1, "allegro": 1, "vivace": 1.5, "very fast": 2, "presto": 2,
    "慢": -1, "慢速": -1, "缓慢": -1, "中速": 0, "快": 1, "快速": 1,
}
"""Tempo words as a level: -2 = the style's slowest, 0 = its typical tempo, 2 = its fastest."""
MOODS: dict[str, str] = {
    "happy": "happy", "joyful": "happy", "cheerful": "happy", "upbeat": "happy", "bright": "happy",
    "sad": "sad", "sorrowful": "sad", "gloomy": "sad",
    "calm": "calm", "peaceful": "calm", "relaxed": "calm", "relaxing": "calm", "mellow": "calm",
    "gentle": "calm", "chill": "calm",
    "energetic": "energetic", "lively": "energetic", "exciting": "energetic", "driving": "energetic",
    "powerful": "energetic",
    "dark": "dark", "ominous": "dark", "spooky": "dark", "scary": "dark",
    "romantic": "romantic", "tender": "romantic",
    "melancholy": "melancholy", "melancholic": "melancholy", "wistful": "melancholy",
    "nostalgic": "melancholy",
    "dreamy": "dreamy", "epic": "epic", "heroic": "epic",
    "快乐": "happy", "欢快": "happy", "开心": "happy", "高兴": "happy", "愉快": "happy",
    "悲伤": "sad", "伤心": "sad", "难过": "sad", "伤感": "sad",
    "平静": "calm", "安静": "calm", "宁静": "calm", "放松": "calm", "轻松": "calm", "舒缓": "calm",
    "激昂": "energetic", "活力": "energetic", "动感": "energetic", "热烈": "energetic", "激情": "energetic",
    "黑暗": "dark", "阴暗": "dark", "暗黑": "dark", "浪漫": "romantic", "深情": "romantic",
    "忧郁": "melancholy", "忧伤": "melancholy", "惆怅": "melancholy", "梦幻": "dreamy", "史诗": "epic",
}
"""Mood words -> canonical mood."""
MOOD_MODES: dict[str, str] = {"sad": "minor", "dark": "minor", "melancholy": "minor", "happy": "major"}
MOOD_PACE: dict[str, float] = {
    "sad": -1, "melancholy": -1, "calm": -1, "dreamy": -1, "romantic": -0.5, "dark": -0.5,
    "happy": 0.5, "epic": 0.5, "energetic": 1,
}
MODEL_WORDS: dict[str, str] = {"vae": "vae", "musicvae": "vae", "gan": "gan", "musegan": "gan"}
STYLE_EXTRAS: dict[str, str] = {"jazzy": "jazz", "bluesy": "blues", "classic rock": "rock"}
"""Style words beyond the catalog's aliases."""

# --- filler and instrument-list markers ----------------------------------------------------------------
FILLERS = frozenset({
    "a", "an", "the", "please", "pls", "make", "me", "us", "song", "songs", "tune", "tunes", "piece",
    "pieces", "some", "and", "in", "for", "compose", "give", "write", "create", "generate", "play", "i",
    "want", "would", "like", "need", "can", "could", "you", "of", "on", "to", "using", "use", "by", "style",
    "music", "track", "melody", "something", "little", "that", "is", "it", "feel", "feeling", "vibe",
    "vibes", "mood", "key", "time", "tempo", "at", "model", "beat", "beats", "instrumental", "very",
    "really", "kind", "sort", "random", "let's", "lets", "go", "new", "another", "one", "am", "i'm", "im",
    "we", "my", "our",
    "的", "一首", "来一首", "首", "给我", "帮我", "请", "写", "作", "创作", "生成", "做", "来", "一段", "段",
    "一个", "个", "歌", "歌曲", "曲", "曲子", "音乐", "乐曲", "旋律", "风格", "用", "要", "我", "想", "听",
    "吧", "呢", "啊", "在", "和", "与", "跟", "很", "非常", "超", "特别", "一点", "一些", "点", "节奏",
    "速度", "模型", "拍", "调性",
})
"""Words that carry no request information ("and", "&", "+", "、" all read as "and")."""
MARKERS: dict[str, str] = {
    "with": "add", "plus": "add", "featuring": "add", "feat": "add", "add": "add", "adding": "add",
    "加": "add", "加上": "add", "配": "add", "带": "add",
    "no": "remove", "without": "remove", "minus": "remove", "不要": "remove", "没有": "remove",
    "无": "remove", "去掉": "remove", "不用": "remove", "别": "remove",
    "only": "only", "just": "only", "solo": "only", "只": "only", "只要": "only", "只用": "only",
    "纯": "only", "独奏": "only",
}
"""List markers: "with X" adds X to the style's band, "no X" removes X, "only" keeps just those named."""

# --- instruments ---------------------------------------------------------------------------------------
GM_PROGRAMS: tuple[str, ...] = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ", "Accordion", "Harmonica",
    "Tango Accordion",
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)", "Electric Guitar (clean)",
    "Electric Guitar (muted)", "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics",
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass", "Slap Bass 1",
    "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    "Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp",
    "Timpani",
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2", "Choir Aahs",
    "Voice Oohs", "Synth Voice", "Orchestra Hit",
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section", "Synth Brass 1",
    "Synth Brass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon", "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)", "Lead 5 (charang)",
    "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)",
    "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)", "FX 5 (brightness)",
    "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bag pipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom", "Synth Drum",
    "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring", "Helicopter", "Applause",
    "Gunshot",
)
"""The 128 General MIDI program names, indexed by program number."""
DRUM_KIT_NAME = "Drums"


@dataclass(frozen=True)
class Instrument:
    """What an instrument word names: a GM program, a GM family, a section of several, or the drum kit."""

    program: int = 0
    family: bool = False
    """The word names a GM family ("guitar"): the style's own member of it is used when it has one."""
    whole_family: bool = False
    """"no <word>" removes its whole GM family: "no piano" also takes out electric pianos."""
    section: tuple[tuple[Role, int], ...] = ()
    """(role, program) pairs, preferred first, for words naming several instruments ("strings")."""
    drums: bool = False


INSTRUMENT_ALIASES: dict[str, int] = {
    "piano": 0, "grand piano": 0, "acoustic piano": 0, "bright piano": 1, "electric grand": 2,
    "honky tonk": 3, "electric piano": 4, "e piano": 4, "epiano": 4, "rhodes": 4, "wurlitzer": 5,
    "fm piano": 5, "clav": 7, "vibes": 11, "bells": 14, "hammond": 16, "hammond organ": 16,
    "pipe organ": 19, "bandoneon": 23, "nylon guitar": 24, "classical guitar": 24, "acoustic guitar": 25,
    "steel guitar": 25, "folk guitar": 25, "jazz guitar": 26, "electric guitar": 27, "clean guitar": 27,
    "muted guitar": 28, "distorted guitar": 30, "upright bass": 32, "double bass": 32, "electric bass": 33,
    "bass guitar": 33, "fingered bass": 33, "picked bass": 34, "slap bass": 36, "synth bass": 38,
    "tremolo": 44, "pizzicato": 45, "harp": 46, "string ensemble": 48, "string section": 48,
    "slow strings": 49, "synth strings": 50, "choir": 52, "voices": 52, "voice": 53, "oohs": 53,
    "aahs": 52, "horn": 60, "french horns": 60, "synth brass": 62, "soprano saxophone": 64,
    "alto saxophone": 65, "tenor saxophone": 66, "baritone saxophone": 67, "cor anglais": 69,
    "pan pipes": 75, "panpipes": 75, "square lead": 80, "square": 80, "saw lead": 81, "sawtooth": 81,
    "sawtooth lead": 81, "calliope": 82, "new age pad": 88, "warm pad": 89, "pad": 89, "polysynth": 90,
    "choir pad": 91, "bowed pad": 92, "halo pad": 94, "sweep pad": 95, "bagpipe": 109, "bagpipes": 109,
    "steel drum": 114, "steel pan": 114, "taiko": 116, "wood block": 115,
    "钢琴": 0, "电钢琴": 4, "电吉他": 27, "木吉他": 25, "民谣吉他": 25, "古典吉他": 24, "小提琴": 40,
    "中提琴": 41, "大提琴": 42, "低音提琴": 32, "竖琴": 46, "小号": 56, "长号": 57, "圆号": 60, "大号": 58,
    "长笛": 73, "笛子": 73, "竹笛": 73, "单簧管": 71, "双簧管": 68, "口琴": 22, "手风琴": 21, "管风琴": 19,
    "合唱": 52, "古筝": 107, "马林巴": 12, "木琴": 13, "钟琴": 9, "八音盒": 10, "二胡": 110,
}
"""Common instrument names -> GM program."""
WHOLE_FAMILY_ALIASES = frozenset({"piano", "钢琴"})
"""Aliases that name one program but, after "no", its whole GM family (see `Instrument.whole_family`)."""
FAMILY_NAMES: dict[str, int] = {
    "guitar": 25, "bass": 32, "organ": 16, "sax": 66, "saxophone": 66, "keys": 0, "keyboard": 0,
    "keyboards": 0, "chromatic percussion": 8, "reed": 66, "pipe": 73, "lead": 80, "synth lead": 80,
    "synth pad": 89, "synth effects": 96, "ethnic": 104, "percussive": 112, "sound effects": 120,
    "吉他": 25, "贝斯": 32, "风琴": 16, "萨克斯": 66, "键盘": 0,
}
"""GM family names -> the member used when the style has none of that family."""
SECTIONS: dict[str, tuple[tuple[Role, int], ...]] = {
    "strings": ((Role.HARMONY, 48), (Role.MELODY, 40), (Role.BASS, 42)),
    "string quartet": ((Role.HARMONY, 41), (Role.MELODY, 40), (Role.BASS, 42)),
    "orchestra": ((Role.HARMONY, 48), (Role.MELODY, 73), (Role.BASS, 42)),
    "brass": ((Role.HARMONY, 61), (Role.MELODY, 56), (Role.BASS, 58)),
    "horns": ((Role.HARMONY, 61), (Role.MELODY, 56), (Role.BASS, 57)),
    "woodwinds": ((Role.HARMONY, 71), (Role.MELODY, 73), (Role.BASS, 70)),
    "winds": ((Role.HARMONY, 71), (Role.MELODY, 73), (Role.BASS, 70)),
    "synth": ((Role.HARMONY, 89), (Role.MELODY, 80), (Role.BASS, 38)),
    "synths": ((Role.HARMONY, 89), (Role.MELODY, 80), (Role.BASS, 38)),
    "synthesizer": ((Role.HARMONY, 89), (Role.MELODY, 80), (Role.BASS, 38)),
    "弦乐": ((Role.HARMONY, 48), (Role.MELODY, 40), (Role.BASS, 42)),
    "弦乐四重奏": ((Role.HARMONY, 41), (Role.MELODY, 40), (Role.BASS, 42)),
    "管弦乐": ((Role.HARMONY, 48), (Role.MELODY, 73), (Role.BASS, 42)),
    "铜管": ((Role.HARMONY, 61), (Role.MELODY, 56), (Role.BASS, 58)),
    "木管": ((Role.HARMONY, 71), (Role.MELODY, 73), (Role.BASS, 70)),
    "合成器": ((Role.HARMONY, 89), (Role.MELODY, 80), (Role.BASS, 38)),
}
"""Words naming several instruments: alone they make a whole band, after "with" they play the harmony."""
DRUM_NAMES = ("drums", "drum", "drum kit", "drumkit", "drum set", "kit", "percussion", "drum machine",
              "鼓", "架子鼓", "鼓组", "打击乐")

POLYPHONIC = frozenset({*range(0, 22), *range(23, 31), 46, *range(48, 55), *range(61, 64), *range(88, 96),
                        105, 107})
"""Programs that can carry chords: alone they also cover the melody and bass."""
LOW_PROGRAMS = frozenset({*range(32, 40), 43, 58, 70})
"""Programs that play the bass part first."""
MELODY_THEN_BASS = frozenset({42, 57})
"""Programs that play the melody, else the bass (cello, trombone)."""
