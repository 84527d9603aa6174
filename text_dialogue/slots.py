"""Slot schemas: typed value generators for a scenario's private facts.

A role's ``slots`` mapping names each fact slot and how its value is drawn::

    slots:
      party: {type: count, min: 2, max: 8}
      day: {type: day}
      time: {type: time, from: "17:00", to: "21:30", step: 15}
      restaurant: {type: business, kind: restaurant}
      note: {type: text, examples: [one guest uses a wheelchair, it is our anniversary]}
      issue: {type: choice, options: [{problem: my wifi drops, fix: restart the router}]}

A ``choice`` whose options are mappings fills several slots at once (its keys), so
values that belong together stay together. Values are speakable: counts and times in
words by default (``style: digits`` writes "7:30 pm"), prices as "$42"; the spoken form
(:mod:`text_dialogue.spoken`) and the fact check read both. Every draw uses a Faker
instance seeded from the dialogue's ``random.Random`` (never Faker's global seed).

>>> spec = parse_slot("party", {"type": "count", "min": 2, "max": 3}, "booking.yaml roles.A")
>>> draw_slot(spec, random.Random(0))["party"] in ("two", "three")
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from corpus_core.errors import ConfigError

__all__ = ["SlotSpec", "SLOT_TYPES", "parse_slot", "parse_slots", "draw_slot", "draw_slots", "get_faker",
           "NAME_TYPES", "DEFAULT_LOCALE"]

DEFAULT_LOCALE = "en_US"
#: slot type -> the generator options it takes (besides ``type`` and ``description``)
SLOT_TYPES: dict[str, frozenset[str]] = {
    "person": frozenset({"gender", "part"}),
    "business": frozenset({"kind"}),
    "city": frozenset(),
    "street": frozenset(),
    "address": frozenset(),
    "day": frozenset({"days", "relative"}),
    "date": frozenset({"months", "style"}),
    "time": frozenset({"from", "to", "step", "style"}),
    "count": frozenset({"min", "max", "style", "unit"}),
    "price": frozenset({"min", "max", "step", "currency"}),
    "phone": frozenset({"format"}),
    "code": frozenset({"length", "style"}),
    "choice": frozenset({"options"}),
    "text": frozenset({"examples"}),
}
#: slot types left out of a dialogue's situation (names alone would make every one differ)
NAME_TYPES = frozenset({"person"})
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CURRENCIES = {"USD": ("$", ""), "GBP": ("£", ""), "EUR": ("", " euros"), "JPY": ("", " yen")}
_STREET_SUFFIXES = ("Street", "Avenue", "Road", "Lane", "Drive", "Way", "Place", "Boulevard")
#: business kind -> name patterns ({last}, {first}, {city}, {word} filled per draw)
_BUSINESS = {
    "restaurant": ("{last}'s", "the {word} Table", "{last}'s Kitchen", "the {word} Bistro", "Cafe {first}",
                   "the {city} Grill", "{first}'s Trattoria", "the {word} Spoon", "{last} and Sons Diner"),
    "shop": ("{last}'s", "{last} Hardware", "the {word} Shop", "{city} Books", "{first}'s Corner Store",
             "the {word} Market", "{last} Cycles"),
    "company": ("{last} and Partners", "{last} Group", "{word} Systems", "{city} Logistics", "{last} Labs"),
    "clinic": ("the {city} Health Center", "{last} Family Clinic", "the {word} Medical Practice"),
}
_WORDS = ("Olive", "Harbor", "Golden", "Copper", "Willow", "Silver", "Maple", "Red Door", "Blue", "Lantern",
          "Garden", "Corner", "Cedar", "River", "Stone", "Juniper", "Saffron", "Little", "Old Mill", "Sunny")


@dataclass(frozen=True)
class SlotSpec:
    """One slot's generator: its type and options (checked by :func:`parse_slot`)."""

    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)
    #: what the slot means, in words (for an LLM that invents values)
    description: str = ""

    def fills(self) -> tuple[str, ...]:
        """The slot names a draw fills: a choice of mappings fills its keys."""
        items = self.options.get("options") or ()
        return tuple(items[0]) if items and isinstance(items[0], dict) else (self.name,)


def _fail(where: str, name: str, what: str) -> ConfigError:
    return ConfigError(f"{where}: slot {name!r}: {what}")


def _check_range(spec: SlotSpec, where: str, low: float, high: float) -> None:
    if low > high:
        raise _fail(where, spec.name, f"empty range: min {low} > max {high}")


def _minutes(text: Any, where: str, name: str) -> int:
    try:
        h, m = (int(p) for p in str(text).split(":"))
    except ValueError:
        raise _fail(where, name, f"time {text!r}: write it as HH:MM (24-hour), e.g. \"18:30\"") from None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise _fail(where, name, f"time {text!r} is not a clock time")
    return h * 60 + m


def _check_options(spec: SlotSpec, where: str) -> None:
    o, name = spec.options, spec.name
    if spec.type in ("count", "price"):
        for k in ("min", "max"):
            if k in o and (isinstance(o[k], bool) or not isinstance(o[k], (int, float))):
                raise _fail(where, name, f"{k} must be a number, not {o[k]!r}")
        _check_range(spec, where, o.get("min", 1), o.get("max", 10 if spec.type == "count" else 100))
    if spec.type == "time":
        _check_range(spec, where, _minutes(o.get("from", "09:00"), where, name), _minutes(o.get("to", "21:00"), where, name))
        if not isinstance(o.get("step", 15), int) or o.get("step", 15) < 1:
            raise _fail(where, name, "step must be a whole number of minutes >= 1")
    if spec.type in ("choice", "text"):
        key = "options" if spec.type == "choice" else "examples"
        items = o.get(key)
        if not isinstance(items, list) or not items:
            raise _fail(where, name, f"{key} must be a non-empty list")
        if spec.type == "choice" and isinstance(items[0], dict):
            keys = set(items[0])
            if not all(isinstance(i, dict) and set(i) == keys for i in items):
                raise _fail(where, name, f"every option needs the same slots {sorted(keys)}")
    if "style" in o and o["style"] not in ("words", "digits"):
        raise _fail(where, name, f"style {o['style']!r}: use words or digits")
    if spec.type == "day" and any(d not in DAYS for d in o.get("days", DAYS)):
        raise _fail(where, name, f"days must be weekday names {DAYS}")
    if spec.type == "day" and not o.get("days", DAYS):
        raise _fail(where, name, "days must be a non-empty list")
    if spec.type == "business" and o.get("kind", "restaurant") not in _BUSINESS:
        raise _fail(where, name, f"kind {o['kind']!r}: use one of {sorted(_BUSINESS)}")
    if spec.type == "price" and o.get("currency", "USD") not in _CURRENCIES:
        raise _fail(where, name, f"currency {o['currency']!r}: use one of {sorted(_CURRENCIES)}")
    if spec.type == "code" and (not isinstance(o.get("length", 3), int) or not 1 <= o.get("length", 3) <= 12):
        raise _fail(where, name, "length must be a whole number from 1 to 12")


def parse_slot(name: str, raw: Any, where: str) -> SlotSpec:
    """One slot from its YAML mapping.

    :param where: the file and role, for the error message.
    :raises ConfigError: one line naming ``where``, the slot and what is wrong (unknown
        type, empty range or list, an option the type does not take).
    """
    if not isinstance(raw, dict) or "type" not in raw:
        raise _fail(where, name, f"expected a mapping with a type (one of {', '.join(SLOT_TYPES)})")
    kind = raw["type"]
    if kind not in SLOT_TYPES:
        raise _fail(where, name, f"unknown type {kind!r}; known: {', '.join(SLOT_TYPES)}")
    options = {k: v for k, v in raw.items() if k not in ("type", "description")}
    wrong = sorted(set(options) - SLOT_TYPES[kind])
    if wrong:
        allowed = ", ".join(sorted(SLOT_TYPES[kind])) or "none"
        raise _fail(where, name, f"option {wrong[0]!r} does not apply to type {kind} (its options: {allowed})")
    spec = SlotSpec(str(name), kind, options, str(raw.get("description", "")))
    _check_options(spec, where)
    return spec


def parse_slots(raw: Any, where: str) -> tuple[SlotSpec, ...]:
    """A role's ``slots`` mapping (slot name -> generator), or ``()``."""
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: slots must be a mapping (slot name: {{type: ...}})")
    return tuple(parse_slot(str(k), v, where) for k, v in raw.items())


@lru_cache(maxsize=8)
def get_faker(locale: str = DEFAULT_LOCALE) -> Any:
    """A Faker instance for ``locale`` (shared; each draw reseeds it with :func:`_seeded`)."""
    try:
        from faker import Faker
    except ImportError:
        from corpus_core.errors import MissingDependency

        raise MissingDependency("faker", why="drawing names and slot values") from None
    try:
        return Faker(locale)
    except AttributeError:
        raise ConfigError(f"locale {locale!r} is not one Faker knows (e.g. en_US, en_GB, ja_JP)") from None


def seeded_faker(rng: random.Random, locale: str = DEFAULT_LOCALE) -> Any:
    """The locale's Faker, seeded from ``rng`` (its own instance seed, not the global one)."""
    fake = get_faker(locale)
    fake.seed_instance(rng.getrandbits(63))
    return fake


def _number(n: int, style: str, locale: str) -> str:
    if style == "digits":
        return str(n)
    from num2words import num2words

    try:
        return num2words(n, lang=locale.split("_")[0])
    except NotImplementedError:
        return str(n)


def _clock(minutes: int, style: str, rng: random.Random) -> str:
    h, m = divmod(minutes, 60)
    h12 = h % 12 or 12
    if style == "digits":
        return f"{h12}:{m:02d} {'am' if h < 12 else 'pm'}" if m else f"{h12} {'am' if h < 12 else 'pm'}"
    if h == 12 and m == 0:
        return "noon"
    hour = _number(h12, "words", "en")
    if m == 0:
        part = "in the morning" if h < 12 else "in the afternoon" if h < 17 else "in the evening"
        return rng.choice((hour, f"{hour} o'clock", f"{hour} {part}"))
    if m == 30:
        return rng.choice((f"{hour} thirty", f"half past {hour}"))
    if m == 15:
        return rng.choice((f"{hour} fifteen", f"quarter past {hour}"))
    return f"{hour} {'oh ' if m < 10 else ''}{_number(m, 'words', 'en')}"


def _business(fake: Any, rng: random.Random, kind: str) -> str:
    pattern = rng.choice(_BUSINESS[kind])
    return pattern.format(last=fake.last_name(), first=fake.first_name(), city=fake.city(), word=rng.choice(_WORDS))


def _value(spec: SlotSpec, rng: random.Random, fake: Any, locale: str) -> str | dict[str, str]:
    o, t = spec.options, spec.type
    if t == "person":
        gender = o.get("gender") or rng.choice(("female", "male"))
        first = fake.first_name_female() if gender == "female" else fake.first_name_male()
        return {"first": first, "last": fake.last_name()}.get(o.get("part", "full"), f"{first} {fake.last_name()}")
    if t == "business":
        return _business(fake, rng, o.get("kind", "restaurant"))
    if t == "city":
        return fake.city()
    if t == "street":
        return f"{fake.last_name()} {rng.choice(_STREET_SUFFIXES)}" if locale.startswith("en") else fake.street_name()
    if t == "address":
        street = f"{fake.last_name()} {rng.choice(_STREET_SUFFIXES)}" if locale.startswith("en") else fake.street_name()
        return f"{rng.randint(2, 299)} {street}"
    if t == "day":
        day = rng.choice(tuple(o.get("days", DAYS)))
        return rng.choice((day, f"this {day}", f"next {day}")) if o.get("relative") else day
    if t == "date":
        month = rng.choice(tuple(o.get("months", MONTHS)))
        day = rng.randint(1, _MONTH_DAYS[MONTHS.index(month)])
        if o.get("style", "words") == "digits":
            return f"{month} {day}"
        from num2words import num2words

        return f"{month} {num2words(day, to='ordinal')}"
    if t == "time":
        step = o.get("step", 15)
        low, high = (_minutes(o.get(k, d), "", spec.name) for k, d in (("from", "09:00"), ("to", "21:00")))
        return _clock(low + step * rng.randint(0, (high - low) // step), o.get("style", "words"), rng)
    if t == "count":
        n = _number(rng.randint(int(o.get("min", 1)), int(o.get("max", 10))), o.get("style", "words"), locale)
        return f"{n} {o['unit']}" if o.get("unit") else n
    if t == "price":
        step = o.get("step", 1)
        low, high = o.get("min", 1), o.get("max", 100)
        amount = low + step * rng.randint(0, int((high - low) // step))
        before, after = _CURRENCIES[o.get("currency", "USD")]
        return f"{before}{amount:g}{after}"
    if t == "phone":
        return fake.numerify(o.get("format", "%##-%##-####"))
    if t == "code":
        digits = [str(rng.randint(1, 9))] + [str(rng.randint(0, 9)) for _ in range(o.get("length", 3) - 1)]
        return "".join(digits) if o.get("style") == "digits" else " ".join(_number(int(d), "words", "en") for d in digits)
    items = o["options"] if t == "choice" else o["examples"]
    item = rng.choice(items)
    return {str(k): str(v) for k, v in item.items()} if isinstance(item, dict) else str(item)


def draw_slot(spec: SlotSpec, rng: random.Random, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """Draw ``spec``'s value(s): ``{slot: value}`` (a choice of mappings fills several slots)."""
    value = _value(spec, rng, seeded_faker(rng, locale), locale)
    return value if isinstance(value, dict) and spec.type == "choice" else {spec.name: str(value)}


def draw_slots(specs: tuple[SlotSpec, ...], rng: random.Random, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """Draw every slot of a schema, in schema order."""
    out: dict[str, str] = {}
    for spec in specs:
        out.update(draw_slot(spec, rng, locale))
    return out
