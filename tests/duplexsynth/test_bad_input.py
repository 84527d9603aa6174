"""Hostile input through the real CLI: exit 2 and ONE line naming file, line and field, or a safe run.

Every case runs ``duplexsynth`` (click's CliRunner, the installed command group) in a
scratch folder with ``tempfile`` pointed at a sentinel folder, then checks that
nothing was written outside the corpus folder: the sentinel stays empty and the only
new paths in the scratch folder are under the corpus.

Cases that are accepted on purpose (``exit 0``), and why:

* ids with ``../``, ``/``, NUL, spaces or 300 characters: the id is sanitized
  (:func:`corpus_core.ids.sanitize_id`), the user's id is kept as ``source_id``;
* emoji inside words and other scripts: the turn is kept as written (the TTS speaks
  what it can); an emoji-only turn has nothing to speak and is refused.

Control characters, SSML-like tags, empty and 10,000-character turns are refused
(exit 2): they are never what a user wants spoken.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from duplexsynth.cli.main import cli

TURNS = [{"type": "Turn", "index": 0, "speaker": "A", "text": "Hello there."},
         {"type": "Turn", "index": 1, "speaker": "B", "text": "Hi, how can I help?"}]


def dialogue(did: Any = "d1", turns: Any = None, **extra: Any) -> dict:
    return {"type": "Dialogue", "id": did, "turns": TURNS if turns is None else turns, **extra}


def one_turn(text: str) -> dict:
    return dialogue(turns=[{"type": "Turn", "index": 0, "speaker": "A", "text": text}])


def jsonl(*rows: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


@dataclass
class Case:
    """One hostile input: files to write, the command, and what must come out."""

    name: str
    #: relative path -> text (str) or bytes
    files: dict[str, str | bytes]
    #: the command after ``duplexsynth``; ``{c}`` is the corpus folder, ``{in}`` the inputs folder
    argv: list[str]
    code: int = 2
    #: substrings of the one error line (exit 2), e.g. file name, ``:line``, ``field X``
    expect: list[str] = field(default_factory=list)
    #: extra check of the corpus for accepted cases
    check: Callable[[Path], None] | None = None
    #: builds files needing code (audio), given the scratch folder
    setup: Callable[[Path], None] | None = None


def _imported(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "dialogues.jsonl").read_text().splitlines()
            if '"GroupEnd"' not in line]


def _safe_id(expected_id: str, source_id: str) -> Callable[[Path], None]:
    def check(corpus: Path) -> None:
        (d,) = _imported(corpus)
        assert d["id"] == expected_id and d["source_id"] == source_id
    return check


def _long_id(corpus: Path) -> None:
    (d,) = _imported(corpus)
    assert len(d["id"]) <= 120 and d["id"].startswith("x" * 100) and d["source_id"] == "x" * 300


def _text_kept(text: str) -> Callable[[Path], None]:
    def check(corpus: Path) -> None:
        (d,) = _imported(corpus)
        assert d["turns"][0]["text"] == text
    return check


def _timeline_corpus(mutate: Callable[[Path], None]) -> Callable[[Path], None]:
    """A two-dialogue duplex corpus (synthetic stereo files) whose first file ``mutate`` breaks."""
    def setup(work: Path) -> None:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "duplex"))
        from exports_fixtures import make_corpus

        corpus = make_corpus(work / "corpus")
        mutate(corpus / "audio" / "duplex" / "dlg-1.flac")
    return setup


def _resampled(path: Path) -> None:
    samples, sr = sf.read(path)
    sf.write(path, samples[::2], sr // 2, format="FLAC")


def _mono(path: Path) -> None:
    samples, sr = sf.read(path)
    sf.write(path, samples.mean(axis=1), sr, format="FLAC")


def _empty_wav(path: Path) -> None:
    sf.write(path, np.zeros((0, 2), dtype=np.float32), 16000, format="WAV")  # a 0-length wav


IMPORT = ["text", "{c}", "--import"]
CASES = [
    # --- JSON and file level -------------------------------------------------------------
    Case("malformed-json", {"in.jsonl": jsonl(dialogue()) + '{"type": "Dialogue", oops}\n'},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:2", "not valid JSON"]),
    Case("cut-off-last-line", {"in.jsonl": jsonl(dialogue()) + '{"type": "Dialogue", "id": "d2", "tu'},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:2", "cut off"]),
    Case("not-an-object", {"in.jsonl": "[1, 2]\n"}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "expected a JSON object"]),
    Case("non-utf8", {"in.jsonl": b'{"type": "Dialogue", "id": "\xff\xfe"}\n'}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl", "not UTF-8", "byte"]),
    Case("empty-file", {"in.jsonl": ""}, IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl", "no dialogues found"]),
    Case("directory", {"dir/keep.txt": "x"}, IMPORT + ["{in}/dir"], expect=["dir", "is a directory"]),
    Case("speak-input-directory", {"dir/keep.txt": "x"}, ["speak", "{c}", "--input", "{in}/dir"],
         expect=["--input", "is a directory"]),
    # --- record level: wrong type, missing and unknown fields -------------------------------
    Case("wrong-type-turns", {"in.jsonl": jsonl(dialogue(turns="hello"))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns", "expected a list", "str"]),
    Case("wrong-type-index", {"in.jsonl": jsonl(dialogue(turns=[{**TURNS[0], "index": "0"}]))},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:1", "field turns[0].index", "expected an integer"]),
    Case("wrong-type-meta", {"in.jsonl": jsonl(dialogue(), dialogue("d2", meta=["a"]))},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:2", "field meta", "expected an object", "list"]),
    Case("wrong-type-id", {"in.jsonl": jsonl(dialogue(7))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field id", "expected text", "int"]),
    Case("missing-field", {"in.jsonl": jsonl({"type": "Dialogue", "id": "d1"})}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns: missing"]),
    Case("missing-turn-text", {"in.jsonl": jsonl({"dialogue_id": "d1", "speaker": "A"})},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:1", "field text"]),
    Case("unknown-field", {"in.jsonl": jsonl(dialogue(colour="red"))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field colour", "unknown field"]),
    Case("unknown-speaker", {"in.jsonl": jsonl(dialogue(turns=[{**TURNS[0], "speaker": "C"}]))},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:1", "field turns[0].speaker", "'C'"]),
    Case("third-speaker", {"in.txt": "A: hi there\nB: hello\nC: me too\n"}, IMPORT + ["{in}/in.txt"],
         expect=["in.txt:3", "third speaker"]),
    # --- dialogue content ---------------------------------------------------------------
    Case("empty-dialogue", {"in.jsonl": jsonl(dialogue(turns=[]))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns: empty"]),
    Case("empty-turn", {"in.jsonl": jsonl(one_turn("   "))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns[0].text: empty"]),
    Case("10000-char-turn", {"in.jsonl": jsonl(one_turn("word " * 2000))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns[0].text", "10000 characters"]),
    Case("control-char", {"in.jsonl": jsonl(one_turn("Hello\x07 there"))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns[0].text", "U+0007"]),
    Case("nul-in-text", {"in.jsonl": jsonl(one_turn("Hello\x00there"))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns[0].text", "U+0000"]),
    Case("ssml-markup", {"in.jsonl": jsonl(one_turn('<speak>Hello <break time="1s"/> there</speak>'))},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:1", "field turns[0].text", "markup", "<speak>"]),
    Case("emoji-only-turn", {"in.jsonl": jsonl(one_turn("\U0001F600\U0001F600"))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field turns[0].text", "no letters or digits"]),
    Case("emoji-in-words", {"in.jsonl": jsonl(one_turn("Great \U0001F600 see you then."))},
         IMPORT + ["{in}/in.jsonl"], code=0, check=_text_kept("Great \U0001F600 see you then.")),
    Case("other-scripts", {"in.jsonl": jsonl(one_turn("Привет, как дела? 你好 مرحبا"))},
         IMPORT + ["{in}/in.jsonl"], code=0, check=_text_kept("Привет, как дела? 你好 مرحبا")),
    # --- ids ----------------------------------------------------------------------------
    Case("id-dotdot", {"in.jsonl": jsonl(dialogue("../../../tmp/pwn"))}, IMPORT + ["{in}/in.jsonl"],
         code=0, check=_safe_id("tmp_pwn", "../../../tmp/pwn")),
    Case("id-slash", {"in.jsonl": jsonl(dialogue("/etc/passwd"))}, IMPORT + ["{in}/in.jsonl"],
         code=0, check=_safe_id("etc_passwd", "/etc/passwd")),
    Case("id-nul", {"in.jsonl": jsonl(dialogue("a\x00b"))}, IMPORT + ["{in}/in.jsonl"],
         code=0, check=_safe_id("a_b", "a\x00b")),
    Case("id-spaces", {"in.jsonl": jsonl(dialogue("my dialogue 7"))}, IMPORT + ["{in}/in.jsonl"],
         code=0, check=_safe_id("my_dialogue_7", "my dialogue 7")),
    Case("id-300-chars", {"in.jsonl": jsonl(dialogue("x" * 300))}, IMPORT + ["{in}/in.jsonl"],
         code=0, check=_long_id),
    Case("id-nothing-usable", {"in.jsonl": jsonl(dialogue("../"))}, IMPORT + ["{in}/in.jsonl"],
         expect=["in.jsonl:1", "field id", "no usable characters"]),
    Case("duplicate-ids", {"in.jsonl": jsonl(dialogue("d1"), dialogue("d2"), dialogue("d1"))},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:3", "field id", "duplicate id 'd1'", "in.jsonl:1"]),
    Case("duplicate-after-sanitizing", {"in.jsonl": jsonl(dialogue("a b"), dialogue("a_b"))},
         IMPORT + ["{in}/in.jsonl"], expect=["in.jsonl:2", "duplicate id 'a_b'", "in.jsonl:1"]),
    Case("speak-input-duplicate-ids", {"in.jsonl": jsonl(dialogue("d1"), dialogue("d1"))},
         ["speak", "{c}", "--input", "{in}/in.jsonl"], expect=["in.jsonl:2", "duplicate id", "in.jsonl:1"]),
    Case("speak-input-wrong-type", {"in.jsonl": jsonl(dialogue(turns=[{**TURNS[0], "text": 5}]))},
         ["speak", "{c}", "--input", "{in}/in.jsonl"], expect=["in.jsonl:1", "field turns[0].text", "expected text"]),
    # --- audio at eval ------------------------------------------------------------------
    Case("eval-other-sample-rate", {}, ["eval", "{c}"], setup=_timeline_corpus(_resampled),
         expect=["timelines.jsonl:1", "field audio_path", "8000 Hz", "16000 Hz"]),
    Case("eval-mono-not-stereo", {}, ["eval", "{c}"], setup=_timeline_corpus(_mono),
         expect=["timelines.jsonl:1", "field audio_path", "1 channel"]),
    Case("eval-zero-length", {}, ["eval", "{c}"], setup=_timeline_corpus(_empty_wav),
         expect=["timelines.jsonl:1", "field audio_path", "0-length"]),
    Case("eval-corrupt-manifest-type", {}, ["eval", "{c}"],
         setup=lambda w: ((w / "corpus").mkdir(), (w / "corpus" / "timelines.jsonl").write_text(
             '{"type": "Timeline", "id": "x", "duration": "long", "sampling_rate": 16000, "segments": []}\n')),
         expect=["timelines.jsonl:1", "field duration", "expected a number"]),
    # --- the corpus's own meta.json --------------------------------------------------------
    Case("corrupt-meta-json", {}, ["duplex", "{c}"],
         setup=lambda w: ((w / "corpus").mkdir(), (w / "corpus" / "meta.json").write_text('{"config": {')),
         expect=["meta.json:1", "not valid JSON"]),
    Case("non-utf8-meta-json", {}, ["duplex", "{c}"],
         setup=lambda w: ((w / "corpus").mkdir(), (w / "corpus" / "meta.json").write_bytes(b"\xff\xfe{}")),
         expect=["meta.json", "not UTF-8"]),
    # --- config -------------------------------------------------------------------------
    Case("config-wrong-type", {"run.yaml": "dialogues: three\n"}, ["text", "{c}", "--config", "{in}/run.yaml"],
         expect=["run.yaml", "dialogues", "expected int", "'three'"]),
    Case("config-negative", {"run.yaml": "dialogues: -1\n"}, ["text", "{c}", "--config", "{in}/run.yaml"],
         expect=["config dialogues", "-1", "0 or more"]),
    Case("config-nan", {"run.yaml": "speech: {target_lufs: .nan}\n"}, ["duplex", "{c}", "--config", "{in}/run.yaml"],
         expect=["run.yaml", "speech.target_lufs", "finite"]),
    Case("config-negative-rate", {"run.yaml": "speech: {sampling_rate: -16000}\n"},
         ["duplex", "{c}", "--config", "{in}/run.yaml"], expect=["speech.sampling_rate", "-16000"]),
    Case("unknown-preset", {"run.yaml": "duplex: {preset: shouting}\n"}, ["duplex", "{c}", "--config", "{in}/run.yaml"],
         expect=["run.yaml", "shouting", "telephone"]),
    Case("unknown-tts-option", {"run.yaml": "tts: {piper: {loudness: 3}}\n", "in.jsonl": jsonl(dialogue())},
         ["speak", "{c}", "--config", "{in}/run.yaml", "--input", "{in}/in.jsonl"],
         expect=["tts.piper", "loudness", "its options"]),
    Case("unknown-tts-backend", {"run.yaml": "tts: {nosuch: {}}\n"}, ["speak", "{c}", "--config", "{in}/run.yaml"],
         expect=["unknown TTS backend 'nosuch'", "piper"]),
    Case("unknown-llm-option", {"run.yaml": "llm: {name: llamacpp, options: {temperature_x: 1}}\n"},
         ["text", "{c}", "--config", "{in}/run.yaml", "-n", "1"], expect=["llamacpp", "temperature_x"]),
]


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work, inputs, sentinel = tmp_path / "work", tmp_path / "work" / "inputs", tmp_path / "sentinel"
    for folder in (inputs, sentinel):
        folder.mkdir(parents=True)
    for name, content in case.files.items():
        path = inputs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if case.setup is not None:
        case.setup(work)
    corpus = work / "corpus"
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(sentinel))
    monkeypatch.setenv("DUPLEXSYNTH_CACHE", str(sentinel / "cache"))
    before = _tree(work)
    argv = [a.replace("{c}", str(corpus)).replace("{in}", str(inputs)) for a in case.argv]

    result = CliRunner().invoke(cli, argv)

    assert result.exit_code == case.code, (result.output, result.exception)
    assert isinstance(result.exception, (SystemExit, type(None))), result.exception  # never a crash
    assert "Traceback" not in result.output
    if case.code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert lines[0].startswith("error: ")
        for text in case.expect:
            assert text in lines[0], (text, lines[0])
    if case.check is not None:
        case.check(corpus)
    # nothing written outside the corpus: no temp files, no cache, nothing beside the inputs
    assert list(sentinel.rglob("*")) == []
    new = _tree(work) - before
    assert all(p == "corpus" or p.startswith("corpus" + os.sep) for p in new), sorted(new)
    assert not [p for p in corpus.rglob(".dsx-tmp-*")] if corpus.exists() else True


def test_case_count() -> None:
    assert len(CASES) >= 30


def test_hostile_id_through_speak_duplex_and_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An id with ``../``, a slash and spaces: audio stays in the corpus and RTTM/CTM/STM fields stay whole."""
    work, sentinel = tmp_path / "work", tmp_path / "sentinel"
    for folder in (work, sentinel):
        folder.mkdir()
    (work / "in.jsonl").write_text(jsonl(dialogue("../../escape/my dialogue")))
    # no user cache: nothing outside the corpus. piper's voices: Kokoro's G2P (phonemizer) copies
    # libespeak-ng into tempfile's folder while its engine lives, which the sentinel would catch
    (work / "run.yaml").write_text("speech: {cache_dir: null}\ncast_backends: [piper]\n")
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(sentinel))
    corpus = work / "corpus"
    runner = CliRunner()
    for argv in (["speak", str(corpus), "--config", "run.yaml", "--input", "in.jsonl"], ["duplex", str(corpus)],
                 ["export", str(corpus), "-f", "rttm", "-f", "ctm", "-f", "stm"]):
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, (argv, result.output)
    safe = "escape_my_dialogue"
    (utt,) = {json.loads(line)["dialogue_id"] for line in (corpus / "utterances.jsonl").read_text().splitlines()
              if '"GroupEnd"' not in line}
    assert utt == safe and (corpus / "audio" / safe).is_dir() and not (tmp_path / "escape").exists()
    assert all(p.resolve().is_relative_to(corpus.resolve()) for p in corpus.rglob("*"))
    rttm = (corpus / "exports" / "rttm" / f"{safe}.rttm").read_text().splitlines()
    assert rttm and all(len(line.split()) == 10 and line.split()[1] == safe for line in rttm)
    ctm = [line for f in (corpus / "exports" / "ctm").glob("*.ctm") for line in f.read_text().splitlines()]
    assert ctm and all(len(line.split()) >= 5 and line.split()[0] == safe for line in ctm)
    stm = [line for f in (corpus / "exports" / "stm").glob("*.stm") for line in f.read_text().splitlines()
           if not line.startswith(";;")]
    assert stm and all(line.split()[0] == safe for line in stm)
    assert list(sentinel.rglob("*")) == []
    assert {p.name for p in work.iterdir()} == {"in.jsonl", "run.yaml", "corpus"}


def test_unwritable_output_folder_as_a_normal_user(tmp_path: Path) -> None:
    """``text --import`` into a read-only folder, run as ``nobody`` when the suite runs as root (CI)."""
    import shutil
    import subprocess
    import sys

    base = Path(tempfile.mkdtemp(prefix="dsx-bad-input-"))  # outside pytest's root-only tmp tree
    try:
        base.chmod(0o755)
        (base / "in.jsonl").write_text(jsonl(dialogue()))
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        prefix = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HOME": str(base)}
        out = subprocess.run([*prefix, sys.executable, "-m", "duplexsynth.cli.main", "text", str(locked / "c"),
                              "--import", str(base / "in.jsonl")], capture_output=True, text=True, env=env,
                             cwd=base, timeout=300)
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot write to the corpus folder" in lines[0] and str(locked / "c") in lines[0]
        assert list(locked.iterdir()) == [] and sorted(p.name for p in base.iterdir()) == ["in.jsonl", "locked"]
    finally:
        shutil.rmtree(base, ignore_errors=True)
