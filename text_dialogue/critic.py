"""The critic: rejects degenerate turns (to be regenerated) and too-short dialogues.

A generator-critic loop: the agent loop asks the critic about every turn and
samples again when the critic gives a reason. Each check returns a short reason
string (one of :data:`TURN_REASONS`), or ``None`` when the turn passes; the loop
counts the reasons into ``Dialogue.meta["rejected_turns"]``.

>>> check_turn("Sure, what time works for you?", ["Hi, I'd like a table."])
>>> check_turn("She smiled and said nothing.", [])
'narration'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CriticConfig",
    "TURN_REASONS",
    "clean_turn_text",
    "check_turn",
    "check_dialogue_length",
    "example_word_lines",
    "copies_example",
    "choose_candidate",
]

#: every reason :func:`check_turn` can give
TURN_REASONS = (
    "empty", "overlong", "speaker_label", "narration", "other_language", "repeat", "loop", "restart",
    "missing_fact", "dropped_question", "foreign_fact", "role_slip", "example_copy",
)

_SPEAKER_LABEL = re.compile(r"(^|\s)[A-Z][a-zA-Z]{0,20}( [A-Z][a-zA-Z]{0,20})?\s?:(\s|$)")
# Stage directions and markup; an unclosed bracket (a turn cut at max_tokens) runs to the end.
_NON_SPEECH = re.compile(r"\([^)]*(\)|$)|\[[^\]]*(\]|$)|\*[^*]*\*|<[^>]*>")
# Letters of any script, so that a turn in another alphabet still counts its words.
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# A greeting deep into a dialogue: small models start the conversation over.
_GREETING = re.compile(r"^(hi|hello|hey|good (morning|afternoon|evening))\b", re.IGNORECASE)
_SPEECH_VERBS = (
    "said|says|asked|asks|replied|replies|answered|answers|nodded|nods|smiled|smiles|laughed|laughs|"
    "sighed|sighs|shrugged|shrugs|whispered|whispers|shouted|shouts|exclaimed|paused|pauses|frowned|"
    "grinned|grins|looked|looks|walked|walks|turned|turns|hung up|hangs up"
)
_NARRATION = re.compile(rf"\b(he|she|they)\s+({_SPEECH_VERBS})\b", re.IGNORECASE)
_PROSE_MARKERS = re.compile(
    r"(^|\s)(#|\*\*|chapter \d|scene \d|the end\b|transcript|narrator|end of (the )?(call|conversation|dialogue))",
    re.IGNORECASE,
)
# The most frequent English words: a turn of several words with almost none of them
# is very likely another language (or gibberish) even when it is written in ASCII.
_ENGLISH = frozenset(
    "a about all also am an and any are as at be because been but by can could did do does don't for from "
    "get go going good got had has have he her here hi him his how i i'll i'm i've if in is it it's just "
    "know like me more my no not now of oh ok okay on one or our out right see so some sure that that's the "
    "their them then there they think this to too up us very was we we'll well were what when where which "
    "who why will with would yeah yes you you're your thanks thank please great".split()
)


@dataclass(frozen=True)
class CriticConfig:
    """Thresholds of the critic."""

    #: fewer words than this is an empty turn
    min_words: int = 2
    #: more words than this is not a short spoken turn
    max_words: int = 30
    #: share of a turn's word 3-grams found in one earlier turn that marks a repeat
    max_ngram_overlap: float = 0.6
    #: a word 3-gram occurring this often inside one turn marks a loop
    max_ngram_count: int = 3
    #: share of non-space characters that must be ASCII (another language otherwise)
    min_ascii_share: float = 0.95
    #: least share of very common English words in a turn of 5 words or more
    min_english_share: float = 0.12
    #: a finished dialogue needs at least this many turns
    min_dialogue_turns: int = 4


def clean_turn_text(raw: str) -> str:
    """Strip stage directions, quotes, markup and extra spaces from a model's turn.

    >>> clean_turn_text('  "Sure (smiles), see you *waves* then."')
    'Sure , see you then.'
    """
    text = _NON_SPEECH.sub(" ", raw)
    text = text.replace('"', "").replace("\u201c", "").replace("\u201d", "")
    text = re.sub(r"\s+", " ", text).strip(" -")
    return text


def _ngrams(words: list[str], n: int = 3) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _is_narration(text: str, names: tuple[str, ...]) -> bool:
    if _NARRATION.search(text) or _PROSE_MARKERS.search(text):
        return True
    for name in names:
        # "Maya said ..." / "Maya nods." : a speaker named in the third person.
        if re.search(rf"\b{re.escape(name)}\s+({_SPEECH_VERBS})\b", text):
            return True
    return False


def _is_other_language(text: str, words: list[str], config: CriticConfig) -> bool:
    letters = [c for c in text if not c.isspace()]
    if sum(c.isascii() for c in letters) / max(1, len(letters)) < config.min_ascii_share:
        return True
    if len(words) >= 5:
        return sum(w in _ENGLISH for w in words) / len(words) < config.min_english_share
    return False


def _is_repeat(words: list[str], history: list[str], config: CriticConfig) -> bool:
    grams = set(_ngrams(words))
    for earlier in history:
        earlier_words = _words(earlier)
        if earlier_words == words:
            return True
        if grams and len(grams & set(_ngrams(earlier_words))) / len(grams) >= config.max_ngram_overlap:
            return True
    return False


def _is_loop(words: list[str], config: CriticConfig) -> bool:
    counts: dict[tuple[str, ...], int] = {}
    for gram in _ngrams(words):
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= config.max_ngram_count:
            return True
    return False


def check_turn(
    text: str,
    history: list[str],
    config: CriticConfig = CriticConfig(),
    names: tuple[str, ...] = (),
    turn_index: int | None = None,
) -> str | None:
    """Why ``text`` is not a usable spoken turn after ``history``, or ``None``.

    :param text: the cleaned turn (see :func:`clean_turn_text`).
    :param history: earlier turns (and example lines) a turn must not repeat.
    :param names: the speakers' names, to spot third-person narration.
    :param turn_index: the turn's place in the dialogue; from the third turn on a
        greeting counts as a restart.
    :return: one of :data:`TURN_REASONS`, or ``None``.
    """
    words = _words(text)
    if len(words) < config.min_words:
        return "empty"
    if len(words) > config.max_words:
        return "overlong"
    if _SPEAKER_LABEL.search(text):
        return "speaker_label"
    if _is_narration(text, names):
        return "narration"
    if _is_other_language(text, words, config):
        return "other_language"
    if _is_repeat(words, history, config):
        return "repeat"
    if _is_loop(words, config):
        return "loop"
    if turn_index is not None and turn_index >= 2 and _GREETING.match(text):
        return "restart"
    return None


def check_dialogue_length(num_turns: int, config: CriticConfig = CriticConfig()) -> str | None:
    """``"too_short"`` when a finished dialogue has fewer turns than allowed."""
    return "too_short" if num_turns < config.min_dialogue_turns else None


def example_word_lines(lines: list[str]) -> set[tuple[str, ...]]:
    """Filled example lines (a scenario's ``say:`` lines with this dialogue's facts) as word tuples."""
    return {tuple(w) for w in (_words(line) for line in lines) if w}


def copies_example(text: str, examples: set[tuple[str, ...]]) -> bool:
    """Whether ``text`` is, word for word, one example line or several in a row.

    >>> lines = example_word_lines(["Sure, what time?", "Around eight, if that works."])
    >>> copies_example("Sure! What time?", lines), copies_example("Sure, what time? Around eight, if that works.", lines)
    (True, True)
    >>> copies_example("Eight would be perfect for us.", lines)
    False
    """
    words = _words(text)
    if not words or not examples:
        return False
    reach = [True] + [False] * len(words)  # reach[i]: words[:i] is a run of example lines
    for i in range(len(words)):
        if reach[i]:
            for line in examples:
                if tuple(words[i : i + len(line)]) == line:
                    reach[i + len(line)] = True
    return reach[-1]


def choose_candidate(candidates: list[str], has_facts: list[bool], examples: set[tuple[str, ...]]) -> int | None:
    """The index of the best of several turns that passed :func:`check_turn`, or ``None`` if none may be used.

    A turn that leaves out one of its act's facts is never chosen. Of the rest, one in
    the model's own words beats a copy of an example line (a scenario line is an
    example of its act, not its text); ties go to the earlier candidate.

    :param has_facts: for each candidate, whether it states every fact of its act.
    :param examples: :func:`example_word_lines` of the scenario's lines, filled.

    >>> ex = example_word_lines(["Around eight, if that works."])
    >>> choose_candidate(["Around eight, if that works.", "Eight works best for us."], [True, True], ex)
    1
    >>> choose_candidate(["Around eight, if that works.", "Sometime later, maybe?"], [True, False], ex)
    0
    """
    usable = [i for i, ok in enumerate(has_facts) if ok]
    if not usable:
        return None
    return min(usable, key=lambda i: (copies_example(candidates[i], examples), i))
