"""The ``openai`` TTS backend against the same engine in-process: same words, same durations, cost.

Starts the loopback speech server of the tests (``tests/speech/tts_server.py``: piper joe
behind ``POST /v1/audio/speech``), then speaks the first ``-n`` dialogues of a text corpus
through the speech stage twice in one run: with a bank voice of the ``openai`` backend
(``speaker: joe``, WAV answers) and with piper joe in-process. Each turn's audio goes through
the default ASR. Printed: turns whose ASR words are equal, pooled WER of each path against
the text, each turn's duration ratio (server / in-process; piper's noise is not seeded, so
they differ a little), and the wall seconds of each path.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_tts_server.py CORPUS [-n 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "speech"))

from corpus_core import read_manifest  # noqa: E402
from eval.asr.base import ASR_SAMPLING_RATE, get_asr  # noqa: E402
from eval.wer import word_errors  # noqa: E402
from speech.audio import resample  # noqa: E402
from speech.records import Voice  # noqa: E402
from speech.synthesize import SpeechConfig, TTSPool, speak_dialogue  # noqa: E402
from text_dialogue.records import Dialogue  # noqa: E402
from tts_server import SpeechServer  # noqa: E402


def speak_all(dialogues: list[Dialogue], voice: Voice, pool: TTSPool, folder: Path) -> tuple[list, float]:
    """Utterances of every dialogue (both speakers in ``voice``) and the wall seconds."""
    start, out = time.perf_counter(), []
    for d in dialogues:
        out += speak_dialogue(d, {"A": voice, "B": voice}, pool, SpeechConfig(cache_dir=None), folder / "audio", folder)
    return out, time.perf_counter() - start


def heard(asr, folder: Path, utt) -> str:  # noqa: ANN001
    samples, sr = sf.read(folder / utt.audio_path, dtype="float32")
    return " ".join(w.text for w in asr.transcribe(resample(samples, sr, ASR_SAMPLING_RATE)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a corpus folder with dialogues.jsonl")
    parser.add_argument("-n", "--dialogues", type=int, default=4)
    args = parser.parse_args()
    dialogues = list(read_manifest(args.corpus / "dialogues.jsonl", Dialogue))[:args.dialogues]
    server = SpeechServer().start()
    try:
        pool = TTSPool({"openai": {"base_url": server.url, "response_format": "wav"}})
        remote = Voice(id="srv-joe", backend="openai", speaker="joe", sampling_rate=22050)
        local = Voice(id="joe", backend="piper", sampling_rate=22050)
        asr = get_asr()
        with tempfile.TemporaryDirectory() as tmp:
            a, b = Path(tmp) / "server", Path(tmp) / "local"
            speak_all(dialogues[:1], local, pool, Path(tmp) / "warm")  # load piper here first
            srv, srv_s = speak_all(dialogues, remote, pool, a)
            loc, loc_s = speak_all(dialogues, local, pool, b)
            same = errors_srv = errors_loc = words = 0
            ratios = []
            for us, ul in zip(srv, loc):
                hs, hl = heard(asr, a, us), heard(asr, b, ul)
                same += word_errors(hs, hl).errors == 0
                es, el = word_errors(us.text, hs), word_errors(ul.text, hl)
                errors_srv, errors_loc, words = errors_srv + es.errors, errors_loc + el.errors, words + es.ref_len
                ratios.append(us.duration / ul.duration)
    finally:
        server.stop()
    r = np.array(ratios)
    print(f"{len(dialogues)} dialogues, {len(srv)} turns, {sum(u.duration for u in loc):.1f} s of audio")
    print(f"turns whose ASR words are equal: {same}/{len(srv)}; WER against the text: server {errors_srv / words:.3f}, "
          f"in-process {errors_loc / words:.3f}")
    print(f"duration server / in-process: median {np.median(r):.3f}, min {r.min():.3f}, max {r.max():.3f}; "
          f"turns within 5%: {int((abs(r - 1) <= 0.05).sum())}/{len(r)}")
    print(f"wall seconds: server {srv_s:.1f}, in-process {loc_s:.1f} ({srv_s / loc_s:.2f}x)")


if __name__ == "__main__":
    main()
