"""LLM-invented situations and sub-topics (``text.situations: llm``, ``text.subtopics: llm``).

**Situations.** For each role with a slot schema the LLM proposes a value per slot from
the scenario's description and the personas (one short completion per slot, all of a
role's slots in one growing form, so llama.cpp reuses the prefix). Each value passes a
checker for its slot type (:func:`check_value`: a time reads as a time in the slot's
range, a count is a number in its range, a day a weekday, a date a month and a day, a
price an amount in its range, a phone number has its digits, a choice is one of its
options, names and free text are short single lines with no braces) and must not copy
one of the scenario's example values (its listed fact sets and its ``text`` examples).
A value that fails keeps the seeded generator's draw. Where each fact came from is
``meta["situation_sources"]`` (``"A.time": "llm" | "generator" | "listed"``), why a
proposal was refused ``meta["situation_rejects"]``.

**Sub-topics.** One completion proposes 2 to 4 short topics that fit the scenario and
the personas (:func:`parse_topics`: a list, each item short, none a copy of another);
each becomes two free turns (one speaker raises it, the other answers; the act carries
the topic as its instruction, no fact and no example line) before the closing, in
place of the scenario's ``subtopics``. Output that does not parse leaves the scenario's
own sub-topics. ``meta["subtopics"]`` records the topics and their source.

Every call's seed comes from a generator of its own (:func:`side_rng`), so the
dialogue's main random stream, and with it the plan's unique situation (the generator
draws, see ``duplexsynth/plan.py``), is the same as with the options off.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from text_dialogue.llm.base import LLM, Completion, GenerationParams
from text_dialogue.records import Persona
from text_dialogue.scenario import Scenario
from text_dialogue.slots import _BUSINESS, _CURRENCIES, DAYS, MONTHS, SlotSpec, _MONTH_DAYS, _minutes

__all__ = ["check_value", "clock_minutes", "slot_hint", "propose_facts", "propose_topics", "parse_topics",
           "scenario_topics", "topics_meta", "side_rng", "SITUATION_SOURCES", "ProposedFacts"]

#: where a fact came from
SITUATION_SOURCES = ("llm", "generator", "listed")
#: most words of a free-text value (names and places take fewer)
MAX_TEXT_WORDS = 14
MAX_NAME_WORDS = 5
#: most words of one proposed sub-topic
MAX_TOPIC_WORDS = 8

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
             "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
             "nineteenth": 19, "twentieth": 20, "thirtieth": 30}
_BAD = re.compile(r"[{}\[\]<>\n\r\t|*#=_:;\\/\"()%?!]")


def side_rng(seed: int, what: str) -> random.Random:
    """A generator of its own for ``what`` (string seeds are hashed stably by :mod:`random`)."""
    return random.Random(f"{seed}/{what}")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def parse_number(text: str) -> int | None:
    """``"7"``, ``"seven"``, ``"twenty-one"``, ``"twenty one"`` -> the number; else ``None``."""
    t = text.strip().lower().replace("-", " ")
    if re.fullmatch(r"\d{1,6}", t):
        return int(t)
    words = t.split()
    if not words:
        return None
    if len(words) == 1:
        return _UNITS.get(words[0], _TENS.get(words[0]))
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNITS and 0 < _UNITS[words[1]] < 10:
        return _TENS[words[0]] + _UNITS[words[1]]
    if len(words) == 3 and words[1] == "hundred" and words[0] in _UNITS:
        return _UNITS[words[0]] * 100
    return None


def _hour(word: str) -> int | None:
    n = parse_number(word)
    return n if n is not None and 1 <= n <= 12 else None


def clock_minutes(text: str) -> set[int]:
    """Every minute of the day ``text`` may mean as a clock time (empty: not a time).

    Reads "19:30", "7:30 pm", "7 pm", "seven thirty", "half past six", "quarter to nine",
    "eight o'clock", "seven in the evening", "noon", "midnight"; an hour without am/pm
    may be either.
    """
    t = " ".join(text.strip().lower().replace(".", "").replace("-", " ").split())
    t = re.sub(r"^(at|around|about)\s+", "", t)
    if t in ("noon", "midday", "twelve noon"):
        return {720}
    if t == "midnight":
        return {0}
    part = None
    m = re.fullmatch(r"(.+?)\s+(am|pm|in the morning|in the afternoon|in the evening|at night|tonight)", t)
    if m:
        t, part = m.group(1), m.group(2)
    oclock = bool(re.search(r"o'?clock$", t))
    t = re.sub(r"\s*o'?clock$", "", t)
    if re.fullmatch(r"\d{1,2}", t) and part is None and not oclock:
        return set()  # a bare number reads as a count, not a time
    hm: tuple[int, int] | None = None
    if (m := re.fullmatch(r"(\d{1,2}):(\d{2})", t)) and int(m.group(2)) < 60:
        h, mm = int(m.group(1)), int(m.group(2))
        if h > 23:
            return set()
        if h > 12 or h == 0:
            return {h * 60 + mm} if part is None else set()
        hm = (h, mm)
    elif (m := re.fullmatch(r"(half|quarter) (past|to) (.+)", t)) and _hour(m.group(3)):
        h, delta = _hour(m.group(3)), 30 if m.group(1) == "half" else 15
        if m.group(2) == "to":
            if m.group(1) == "half":
                return set()
            h, mm = (h - 1) or 12, 60 - delta
        else:
            mm = delta
        hm = (h, mm)
    else:
        words = t.split()
        if words and _hour(words[0]):
            rest = " ".join(words[1:])
            mm = 0 if not rest else parse_number(rest.removeprefix("oh ")) if rest else None
            if mm is not None and 0 <= mm < 60 and (not rest.startswith("oh ") or mm < 10):
                hm = (_hour(words[0]), mm)  # type: ignore[assignment]
    if hm is None:
        return set()
    h, mm = hm
    base = (h % 12) * 60 + mm
    if part in ("am", "in the morning"):
        return {base}
    if part in ("pm", "in the afternoon", "in the evening", "at night", "tonight"):
        return {base + 720} if h != 12 else {720 + mm}
    return {base, (base + 720) % 1440}


def _date(text: str) -> tuple[str, int] | None:
    t = " ".join(text.strip().replace(",", " ").split())
    t = re.sub(r"^(the|on)\s+", "", t, flags=re.I)
    t = re.sub(r"\s+of\s+", " ", t, flags=re.I)
    words = t.split()
    month = next((w for w in words if w.capitalize() in MONTHS), None)
    if month is None or len(words) not in (2, 3):
        return None
    rest = " ".join(w for w in words if w is not month).lower()
    rest = re.sub(r"(\d+)(st|nd|rd|th)$", r"\1", rest)
    day = parse_number(rest)
    if day is None:
        parts = rest.replace("-", " ").split()
        if len(parts) == 1:
            day = _ORDINALS.get(parts[0])
        elif len(parts) == 2 and parts[0] in _TENS and parts[1] in _ORDINALS:
            day = _TENS[parts[0]] + _ORDINALS[parts[1]]
    month = month.capitalize()
    return (month, day) if day is not None and 1 <= day <= _MONTH_DAYS[MONTHS.index(month)] else None


def _short_line(value: str, most: int) -> str | None:
    """Why ``value`` is not a short one-line phrase, or ``None``."""
    if not value.strip():
        return "empty"
    if _BAD.search(value):
        return "markup"
    if not re.search(r"[A-Za-z]", value):
        return "no_words"
    if len(value.split()) > most:
        return "too_long"
    return None


def check_value(spec: SlotSpec, value: str) -> tuple[str | None, str | None]:
    """``(value to use, None)`` when ``value`` reads as ``spec``'s type, else ``(None, reason)``.

    The value is used as written (stripped of quotes and a final full stop), except for
    the casing of weekdays and months and a choice's own spelling.
    """
    v = value.strip().strip("\"'").strip().rstrip(".").strip()
    o, t = spec.options, spec.type
    if not v or "\n" in v or "{" in v or "}" in v:
        return None, "empty" if not v else "markup"
    if t == "time":
        low, high = (_minutes(o.get(k, d), "", spec.name) for k, d in (("from", "09:00"), ("to", "21:00")))
        minutes = clock_minutes(v)
        if not minutes:
            return None, "not_a_time"
        return (v, None) if any(low <= m <= high for m in minutes) else (None, "out_of_range")
    if t == "count":
        unit = str(o.get("unit", ""))
        body = re.sub(rf"\s+{re.escape(unit)}$", "", v, flags=re.I) if unit else v
        body = re.sub(r"\s+(people|persons|guests|of us)$", "", body, flags=re.I)
        n = parse_number(body)
        if n is None:
            return None, "not_a_number"
        return (v, None) if o.get("min", 1) <= n <= o.get("max", 10) else (None, "out_of_range")
    if t == "day":
        m = re.fullmatch(r"(?:(this|next|on)\s+)?([A-Za-z]+)", v, flags=re.I)
        if not m or m.group(2).capitalize() not in DAYS:
            return None, "not_a_day"
        day = m.group(2).capitalize()
        if day not in o.get("days", DAYS):
            return None, "out_of_range"
        prefix = (m.group(1) or "").lower()
        if prefix in ("this", "next") and o.get("relative"):
            return f"{prefix} {day}", None
        return day, None
    if t == "date":
        d = _date(v)
        if d is None:
            return None, "not_a_date"
        if d[0] not in o.get("months", MONTHS):
            return None, "out_of_range"
        return re.sub(d[0], d[0], v, flags=re.I), None
    if t == "price":
        before, after = _CURRENCIES[o.get("currency", "USD")]
        m = re.fullmatch(r"([$£€]?)\s*(\d+(?:\.\d{1,2})?)\s*([A-Za-z ]*)", v)
        if not m or (m.group(1) and before and m.group(1) != before):
            return None, "not_a_price"
        if not (m.group(1) or m.group(3)):
            return None, "not_a_price"  # a bare number is not a price
        amount = float(m.group(2))
        return (v, None) if o.get("min", 1) <= amount <= o.get("max", 100) else (None, "out_of_range")
    if t == "phone":
        if not re.fullmatch(r"[+()\d][\d ().+-]*\d", v):
            return None, "not_a_phone_number"
        want = sum(c in "#%" for c in str(o.get("format", "%##-%##-####")))
        digits = sum(c.isdigit() for c in v)
        return (v, None) if want - 1 <= digits <= want + 3 else (None, "not_a_phone_number")
    if t == "code":
        length = o.get("length", 3)
        parts = v.replace("-", " ").split()
        digits = list(v) if re.fullmatch(r"\d+", v) else [str(parse_number(p)) for p in parts]
        ok = len(digits) == length and all(d.isdigit() and len(d) == 1 for d in digits)
        return (v, None) if ok else (None, "not_a_code")
    if t == "choice":
        items = o["options"]
        if isinstance(items[0], dict):
            return None, "choice_of_sets"  # its values belong together: the generator draws them
        match = next((str(i) for i in items if _norm(str(i)) == _norm(v)), None)
        return (match, None) if match is not None else (None, "not_an_option")
    most = MAX_TEXT_WORDS if t == "text" else MAX_NAME_WORDS
    why = _short_line(v, most)
    if why:
        return None, why
    if t == "person" and not all(w[:1].isupper() and w.replace("'", "").replace("-", "").isalpha()
                                 for w in v.split()):
        return None, "not_a_name"
    if t == "address" and not re.match(r"\d+\s+\S", v):
        return None, "not_an_address"
    return v, None


def slot_hint(spec: SlotSpec) -> str:
    """What ``spec`` asks for, in a few words (the form's label after the slot name)."""
    if spec.description:
        return spec.description
    o, t = spec.options, spec.type
    if t == "time":
        return f"a time of day between {o.get('from', '09:00')} and {o.get('to', '21:00')}"
    if t == "count":
        unit = f" {o['unit']}" if o.get("unit") else ""
        return f"how many{unit or ' people'}, a number from {o.get('min', 1)} to {o.get('max', 10)}"
    if t == "day":
        return "a day of the week"
    if t == "date":
        return "a date: a month and a day"
    if t == "price":
        before, after = _CURRENCIES[o.get("currency", "USD")]
        return f"a price from {before}{o.get('min', 1)}{after} to {before}{o.get('max', 100)}{after}"
    if t == "phone":
        return "a phone number"
    if t == "code":
        return f"a code of {o.get('length', 3)} digits"
    if t == "choice":
        return "one of: " + ", ".join(map(str, o["options"]))
    if t == "business":
        kind = o.get("kind", "restaurant")
        return f"the name of the {kind if kind in _BUSINESS else 'business'}"
    if t == "person":
        return "a person's name"
    if t == "text":
        return "a few words"
    return f"a {t}"


def _describe(p: Persona) -> str:
    parts = [x for x in (p.age_band, p.gender, p.occupation) if x]
    return f"{p.name}, the {p.role}" + (f" ({', '.join(parts)})" if parts else "")


def _call(llm: LLM, prompt: str, params: GenerationParams, instruction: str = "") -> Completion:
    """A completion of ``prompt`` (base models) or an answer to ``instruction`` (chat models)."""
    if getattr(llm, "uses_chat", False):
        return llm.chat([{"role": "user", "content": instruction or prompt}], params)  # type: ignore[attr-defined]
    return llm.complete(prompt, params)


def example_values(scenario: Scenario, speaker: str) -> dict[str, set[str]]:
    """slot -> the scenario's example values (its listed fact sets, a text slot's examples), normalized."""
    role = scenario.roles[speaker]
    out: dict[str, set[str]] = {n: set() for n in role.slot_names()}
    for facts in role.facts:
        for k, v in facts.items():
            out.setdefault(k, set()).add(_norm(v))
    for spec in role.slots:
        if spec.type == "text":
            out.setdefault(spec.name, set()).update(_norm(str(e)) for e in spec.options.get("examples") or ())
    return out


@dataclass
class ProposedFacts:
    """One role's facts after the LLM's proposals: values, their source, and why proposals were refused."""

    values: dict[str, str]
    sources: dict[str, str]
    rejects: dict[str, str]
    calls: list[Completion]


def propose_facts(llm: LLM, scenario: Scenario, speaker: str, personas: dict[str, Persona],
                  drawn: dict[str, str], rng: random.Random, max_tokens: int = 16) -> ProposedFacts:
    """The LLM's value for each of ``speaker``'s slots; a value that fails keeps ``drawn``'s.

    :param drawn: the generator's (or a listed set's) values, the fallback.
    :param rng: seeds the calls (one per slot).
    """
    role = scenario.roles[speaker]
    listed = bool(role.facts) and drawn in [dict(f) for f in role.facts]
    fallback = "listed" if listed else "generator"
    values, sources, rejects, calls = dict(drawn), {k: fallback for k in drawn}, {}, []
    copies = example_values(scenario, speaker)
    me, other = personas[speaker], personas["B" if speaker == "A" else "A"]
    form = [f"{scenario.description} {scenario.setting}"]
    # a choice of fact sets stays whole: the generator draws it
    specs = [s for s in role.slots if len(s.fills()) == 1
             and not (s.type == "choice" and isinstance(s.options["options"][0], dict))]
    if role.facts:  # an earlier call's notes show the form (its values are examples: not to be copied)
        shown = role.facts[rng.randrange(len(role.facts))]
        form += ["Notes for an earlier call:"]
        form += [f"{s.name.replace('_', ' ')} ({slot_hint(s)}): {shown[s.name]}" for s in specs if s.name in shown]
        form += [""]
    form += [f"Notes for today's call. {_describe(me)}, talks with {_describe(other)}; "
             f"{me.name}'s own facts, new ones, each in a few words:"]
    for spec in specs:
        label = f"{spec.name.replace('_', ' ')} ({slot_hint(spec)}):"
        prompt = "\n".join(form + [label])
        instruction = (f"{form[0]} {_describe(me)} talks with {_describe(other)}. Invent {me.name}'s "
                       f"{spec.name.replace('_', ' ')} ({slot_hint(spec)}). Reply with the value only.")
        params = GenerationParams(max_tokens=max_tokens, temperature=0.9, stop=("\n",), seed=rng.randrange(2**31))
        out = _call(llm, prompt, params, instruction)
        calls.append(out)
        value, why = check_value(spec, out.text)
        if value is not None and _norm(value) in copies.get(spec.name, set()):
            value, why = None, "example_copy"
        if value is None:
            rejects[spec.name] = why or "invalid"
            form.append(f"{label} {drawn[spec.name]}")  # the form goes on with the value kept
            continue
        values[spec.name] = value
        sources[spec.name] = "llm"
        form.append(f"{label} {value}")
    return ProposedFacts(values, sources, rejects, calls)


def _topic_words(text: str) -> set[str]:
    return set(_norm(text).split()) - {"the", "a", "an", "of", "about", "their", "your", "his", "her", "its"}


def scenario_topics(scenario: Scenario) -> list[str]:
    """The scenario's own sub-topics in words, from their first act's name ("ask_first_visit" -> "first visit")."""
    if scenario.flow is None:
        return []
    return [re.sub(r"^(ask|inform|tell|offer|mention|talk)_(about_)?", "", seq[0].act).replace("_", " ")
            for seq in scenario.flow.subtopics]


def parse_topics(text: str, most: int = 4, least: int = 2, avoid: tuple[str, ...] = ()) -> list[str] | None:
    """2 to 4 short topics from a list the model wrote (numbered, bulleted, or commas); else ``None``.

    An item is cut at a bracket, colon or semicolon; items that are empty, too long,
    markup, a copy of an earlier item or of one of ``avoid`` (the example topics) are
    dropped; more than ``most`` keep the first ``most``; fewer than ``least`` is ``None``.
    """
    lines = [s for s in (x.strip() for x in text.splitlines()) if s]
    if len(lines) == 1 and "," in lines[0] and not re.match(r"^\s*(\d+[.)]|[-*•])", lines[0]):
        lines = [x.strip() for x in lines[0].split(",") if x.strip()]
    out: list[str] = []
    seen: list[set[str]] = [_topic_words(t) for t in avoid]
    for line in lines:
        item = re.sub(r"^\s*(\d+\s*[.)]|[-*•])\s*", "", line).strip().strip("\"'").rstrip(".;,").strip()
        item = re.split(r"\s*[(:;]|\s+-\s+", item)[0].strip().rstrip(".,").strip()
        item = re.sub(r"\s+", " ", item)
        if _short_line(item, MAX_TOPIC_WORDS) or len(item) < 3:
            continue
        words = _topic_words(item)
        if not words or any(words <= s or s <= words for s in seen):
            continue  # a copy of an earlier item (or one inside it)
        seen.append(words)
        out.append(item)
        if len(out) == most:
            break
    return out if len(out) >= least else None


def propose_topics(llm: LLM, scenario: Scenario, personas: dict[str, Persona], rng: random.Random,
                   max_tokens: int = 48) -> tuple[list[str] | None, Completion]:
    """One completion listing sub-topics for this scenario and these personas: ``(topics or None, the call)``."""
    a, b = personas["A"], personas["B"]
    own = scenario_topics(scenario)
    lines = [f"{scenario.description} {scenario.setting}",
             "Besides the main business of a call, the two speakers chat briefly about a few small things."]
    if own:  # the scenario's own sub-topics show the form; copies of them are dropped
        lines += ["Small things of an earlier call:"] + [f"{i}. {t}" for i, t in enumerate(own[:3], 1)] + [""]
    lines += [f"Today {_describe(a)}, talks with {_describe(b)}. Three other small things they chat about today, "
              "each in a few words:", "1."]
    instruction = (f"{lines[0]} {lines[1]} Today {_describe(a)} talks with {_describe(b)}. List three small things "
                   "they chat about, each in a few words, one per line, numbered.")
    params = GenerationParams(max_tokens=max_tokens, temperature=0.8, stop=("\n\n", "4."),
                              seed=rng.randrange(2**31))
    out = _call(llm, "\n".join(lines), params, instruction)
    text = out.text if getattr(llm, "uses_chat", False) else "1." + out.text
    return parse_topics(text, avoid=tuple(own)), out


def topics_meta(source: str, topics: list[str], raw: str | None = None) -> dict[str, Any]:
    """The ``meta["subtopics"]`` record."""
    out: dict[str, Any] = {"source": source, "topics": list(topics)}
    if raw is not None:
        out["raw"] = raw
    return out
