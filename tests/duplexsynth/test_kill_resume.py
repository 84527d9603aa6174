"""``generate`` on a small real corpus, killed with SIGKILL at 20 seeded random moments and rerun.

The default stack (Gemma 3 270M, piper, faster-whisper) writes two short dialogues.
Kill moments are drawn from a seeded generator on the run's own progress, so they land
while it writes, however fast the machine is: once an attempt holds the corpus lock
(past start-up), it is killed right after its k-th new file or manifest group (k drawn
in 1..5) plus a random fraction of a second, or after a drawn number of seconds
without that much progress. Whatever was complete at each kill is recorded. After
the 20 kills one last run finishes the corpus, and then:

* after every kill, no process of the killed run (its 2 worker processes, multiprocessing's
  resource tracker) is alive 15 s later: each run's processes carry a marker in their
  environment, and /proc is searched for it;

* every manifest line parses (typed records), and each manifest ends on a closed group;
* no temp or partial file remains anywhere in the corpus;
* no dialogue is missing or duplicated in any manifest;
* every audio file's duration matches its record;
* every group (and its audio) that was complete at a kill is byte-identical at the end
  (the WER gate may re-synthesize a dialogue on purpose: such a dialogue is compared on
  its text only, and the test says how many there were).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from corpus_core.layout import MANIFESTS
from corpus_core.manifest import GROUP_END, read_manifest
from duplex.records import Timeline
from eval.records import DialogueEval, TurnEval
from speech.records import Utterance
from text_dialogue.records import Dialogue

REPO = Path(__file__).resolve().parents[2]
KILLS = 20
#: an attempt is killed after this many new files / manifest groups (uniform, seeded) ...
KILL_AFTER_EVENTS = (1, 5)
#: ... plus up to this many seconds, to land inside the next write
KILL_JITTER = 0.3
#: ... or after this many seconds (uniform, seeded) past start-up without that much progress
KILL_AFTER_SECONDS = (2.0, 40.0)
CONFIG = """\
dialogues: 2
scenarios: [booking]
seed: 11
text: {max_turns: 4}
speech: {cache_dir: %s}
eval: {speaker_similarity: false, turn_taking: false}
"""
KEYS = {"text": "id", "speech": "dialogue_id", "duplex": "id", "eval": "dialogue_id"}
#: worker processes per run: the kill must take them (and the resource tracker) with it
WORKERS = 2
#: the environment variable that marks every process of one attempt (children inherit it)
MARKER = "DUPLEXSYNTH_KILL_TEST_RUN"
#: seconds a process of a killed run may outlive the kill
ORPHAN_GRACE = 15.0


def _groups(path: Path) -> dict[str, bytes]:
    """Complete groups of a manifest: key -> the raw bytes of its lines and its GroupEnd line."""
    out: dict[str, bytes] = {}
    if not path.is_file():
        return out
    pending = b""
    for line in path.read_bytes().splitlines(keepends=True):
        pending += line
        if b'"type": "' + GROUP_END.encode() + b'"' in line and line.endswith(b"\n"):
            out[json.loads(line)["key"]] = pending
            pending = b""
    return out


def _audio_paths(group: bytes) -> list[str]:
    paths = []
    for line in group.splitlines():
        data = json.loads(line)
        paths += [data[k] for k in ("audio_path", "mono_path") if data.get(k)]
    return paths


def _snapshot(corpus: Path) -> dict[tuple[str, str], bytes]:
    """(stage, key) -> bytes of the complete group plus the hashes of the audio it names."""
    snap = {}
    for stage, name in MANIFESTS.items():
        for key, group in _groups(corpus / name).items():
            digest = b"".join(hashlib.sha256((corpus / p).read_bytes()).digest() for p in _audio_paths(group))
            snap[(stage, key)] = group + digest
    return snap


def _progress(corpus: Path) -> int:
    """Files in the corpus plus closed manifest groups: grows with every write a run makes."""
    files = sum(len(names) for _, _, names in os.walk(corpus))
    groups = sum(len(_groups(corpus / name)) for name in MANIFESTS.values())
    return files + groups


def _holds_lock(corpus: Path, pid: int) -> bool:
    try:
        return (corpus / ".lock").read_text().strip() == str(pid)
    except OSError:
        return False


def _marked_processes(marker: str) -> list[str]:
    """``pid cmdline`` of every live process whose environment holds ``MARKER=marker`` (zombies are dead)."""
    needle = f"{MARKER}={marker}".encode()
    found: list[str] = []
    if not Path("/proc").is_dir():  # the check needs Linux's /proc; elsewhere the test checks the corpus only
        return found
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name} {cmdline[:120]}")
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def _orphans_after(marker: str) -> list[str]:
    """The killed run's processes still alive ``ORPHAN_GRACE`` seconds after the kill (polled)."""
    deadline = time.monotonic() + ORPHAN_GRACE
    while True:
        left = _marked_processes(marker)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.2)


def _run_until_kill(corpus: Path, config: Path, rng: random.Random, complete: bool) -> bool:
    """One attempt; True when it was killed, False when it finished first.

    :param complete: the corpus is finished: a rerun has nothing to write, so kill it
        at a drawn moment of its start-up instead.
    """
    events, seconds, jitter = rng.randint(*KILL_AFTER_EVENTS), rng.uniform(*KILL_AFTER_SECONDS), rng.uniform(0, KILL_JITTER)
    if complete:
        events, seconds = 0, 0.0
    marker = f"{os.getpid()}-{rng.getrandbits(32):08x}"
    proc = _generate(corpus, config, marker)
    try:
        while not complete and proc.poll() is None and not _holds_lock(corpus, proc.pid):  # start-up: engines load
            time.sleep(0.05)
        start, base = time.monotonic(), _progress(corpus)
        if complete:
            time.sleep(rng.uniform(0.2, 4.0))
        while proc.poll() is None:
            if _progress(corpus) - base >= events or time.monotonic() - start >= seconds:
                time.sleep(jitter)
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            orphans = _orphans_after(marker)
            assert orphans == [], f"processes of the killed run alive {ORPHAN_GRACE:.0f} s later: {orphans}"
            return True
        assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
        return False
    finally:
        if proc.stderr:
            proc.stderr.close()


def _generate(corpus: Path, config: Path, marker: str = "final") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), MARKER: marker}
    return subprocess.Popen([sys.executable, "-m", "duplexsynth.cli.main", "generate", "--out", str(corpus),
                             "--config", str(config), "--workers", str(WORKERS)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


@pytest.mark.slow
def test_generate_survives_20_kills(tmp_path: Path) -> None:
    corpus, config = tmp_path / "corpus", tmp_path / "run.yaml"
    config.write_text(CONFIG % (tmp_path / "tts-cache"))
    rng = random.Random(20261125)
    finished_at_kill: dict[tuple[str, str], bytes] = {}
    kills = attempts = 0
    complete, mid_run = False, 0
    while kills < KILLS:
        attempts += 1
        killed = _run_until_kill(corpus, config, rng, complete)
        kills += killed
        mid_run += killed and not complete
        complete = complete or not killed
        for key, value in _snapshot(corpus).items():
            finished_at_kill.setdefault(key, value)
    final = _generate(corpus, config)
    _, err = final.communicate(timeout=1800)
    assert final.returncode == 0, err.decode()

    # every manifest line parses as its record type; each file ends on a closed group
    records = {
        "text": list(read_manifest(corpus / MANIFESTS["text"], Dialogue)),
        "speech": list(read_manifest(corpus / MANIFESTS["speech"], Utterance)),
        "duplex": list(read_manifest(corpus / MANIFESTS["duplex"], Timeline)),
        "eval": list(read_manifest(corpus / MANIFESTS["eval"])),
    }
    for name in MANIFESTS.values():
        assert (corpus / name).read_bytes().splitlines()[-1].find(GROUP_END.encode()) > 0, name
    # no temp or partial file remains
    leftovers = [p for p in corpus.rglob("*") if p.name.startswith((".dsx-tmp-", ".write-test-")) or
                 p.suffix == ".partial"]
    assert leftovers == []
    # no dialogue missing or duplicated
    ids = [d.id for d in records["text"]]
    assert sorted(ids) == ["booking-00000", "booking-00001"]
    dropped = [json.loads(line)["id"] for line in (corpus / "dropped.jsonl").read_text().splitlines()] \
        if (corpus / "dropped.jsonl").exists() else []
    assert len(dropped) == len(set(dropped))
    for stage in ("speech", "duplex", "eval"):
        groups = _groups(corpus / MANIFESTS[stage])
        assert sorted(groups) == sorted(ids if stage != "duplex" else set(ids) - set(dropped)), stage
        ends = [json.loads(line)["key"] for line in (corpus / MANIFESTS[stage]).read_text().splitlines()
                if GROUP_END in line]
        assert len(ends) == len(set(ends)), f"{stage}: a dialogue written twice"
    utt_ids = [u.id for u in records["speech"]]
    assert len(utt_ids) == len(set(utt_ids))
    summaries = [r for r in records["eval"] if isinstance(r, DialogueEval)]
    assert sorted(s.dialogue_id for s in summaries) == sorted(ids)
    assert all(isinstance(r, (DialogueEval, TurnEval)) for r in records["eval"])
    # every audio file's duration matches its record
    for u in records["speech"]:
        info = sf.info(str(corpus / u.audio_path))
        assert info.samplerate == u.sampling_rate and abs(info.frames / info.samplerate - u.duration) < 1e-3, u.id
    for t in records["duplex"]:
        info = sf.info(str(corpus / t.audio_path))
        assert info.channels == 2 and abs(info.frames / info.samplerate - t.duration) < 1e-3, t.id
    assert not (corpus / "failures.jsonl").exists() or (corpus / "failures.jsonl").read_text() == ""
    # what was complete at a kill is byte-identical now (text always; audio stages unless the gate re-synthesized)
    resynthesized = {s.dialogue_id for s in summaries if s.metrics["gate"]["resynthesis_rounds"] > 0}
    now = _snapshot(corpus)
    compared = 0
    for (stage, key), value in finished_at_kill.items():
        if stage in ("speech", "duplex") and key in resynthesized:
            continue
        assert now.get((stage, key)) == value, f"{stage} {key} changed after a kill"
        compared += 1
    print(f"kill test: {attempts} attempts, {kills} SIGKILLs ({mid_run} while it was writing, "
          f"{kills - mid_run} in the start-up of a rerun of the finished corpus), "
          f"{compared} finished groups compared byte for byte, "
          f"{len(resynthesized)} re-synthesized by the gate, 0 lost")
    # some kills cut real work short and some groups finished before a kill; how many of the 20
    # land mid-run depends on the machine's speed (3 on a quiet 2-core machine, 10-11 under load)
    assert compared > 0 and mid_run >= 2
