"""Voice diversity of a corpus cast from a multi-speaker model: distinct speakers, A-B against self-similarity.

Builds a random-weight piper voice with ``--speakers`` speaker ids (see
:mod:`speech.tts.piper_random`), makes a bank of it (one entry per id, as ``voices --from``
does), embeds every voice with resemblyzer from the reference sentences of
:mod:`duplexsynth.voice_embeddings` (the engine's own audio), and casts the
personas of ``--dialogues`` planned dialogues (the shipped scenarios in turn, the seeds of
``generate --seed 0``) two ways in one run:

* per dialogue (``cast_variants``, what a run without corpus-wide casting does);
* corpus-wide (``CorpusCaster``: speaker-embedding distance, ``--max-uses`` per voice).

Each speaker then says two held-out sentences (not the reference ones); a speaker's
*self-similarity* is the cosine of its two sentences' embeddings, a dialogue's *A-B
similarity* the cosine of its two speakers' mean embeddings. Printed per casting: distinct
speakers used, most uses of one voice, dialogues whose A-B similarity is below both
speakers' self-similarity, and the A-B and margin distributions.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_voices.py [--speakers 60] [--dialogues 100] [--max-uses 4]

``--bank default`` measures the shipped default cast instead (``--all``: every shipped voice,
the pitch-shifted joes and espeak included): each voice speaks :data:`SETS` (four sets of two
sentences, as a dialogue's turns), each set is embedded as the corpus measure embeds a
speaker (the mean of its sentences' embeddings), and it prints per voice the same-speaker
cosines between its sets and its nearest other voice; then the percentiles of all
same-speaker pairs (what :data:`eval.speaker_diversity.SAME_SPEAKER_COSINE` is fixed
from), and the clusters at that cut with their genders.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_voices.py --bank default [--all]

``--corpus DIR`` prints the speaker figures of a finished corpus (what meta.json keeps in
``stages.eval.speakers``, computed afresh from its manifests), with each cluster's genders.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_voices.py --corpus /tmp/corpus
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from duplexsynth.casting import planned_personas
from duplexsynth.config import load_config
from duplexsynth.plan import dialogue_plan
from duplexsynth.voice_embeddings import REFERENCE_SENTENCES
from eval.speaker_similarity import SpeakerEncoder
from speech.corpus_casting import CastingConfig, CorpusCaster
from speech.records import Voice
from speech.tts.piper import PiperConfig, PiperTTS
from speech.tts.piper_random import build_random_piper_voice
from speech.voice_import import voices_from_source
from speech.voices import cast_variants

HELD_OUT = ("Could you please send me the report by the end of the week?",
            "We walked along the river until the sun went down behind the hills.")


def sentence_embeddings(voices: list[Voice], engine: PiperTTS, encoder: SpeakerEncoder,
                        sentences: tuple[str, ...]) -> dict[str, list[np.ndarray]]:
    """voice id -> unit embeddings of ``sentences`` as the engine speaks them (its own 16 kHz audio).

    The speech stage's audio of this random voice (loudness-normalized, 24 kHz) is trimmed
    to nothing by resemblyzer's voice-activity detection, so the engine's audio is embedded.
    """
    out: dict[str, list[np.ndarray]] = {}
    for voice in voices:
        for text in sentences:
            syn = engine.synthesize(text, voice)
            e = encoder.embed(syn.samples, syn.sampling_rate)
            if e is not None:
                out.setdefault(voice.id, []).append(e / np.linalg.norm(e))
    return out


def score(casts: list[dict[str, Voice]], held: dict[str, list[np.ndarray]]) -> str:
    """One printed line of figures for a list of casts."""
    uses = Counter(v.id for c in casts for v in c.values())
    self_sim = {v: float(es[0] @ es[1]) for v, es in held.items() if len(es) == 2}
    ab, margins = [], []
    for cast in casts:
        a, b = cast["A"].id, cast["B"].id
        if a not in self_sim or b not in self_sim:
            continue
        ma, mb = np.mean(held[a], axis=0), np.mean(held[b], axis=0)
        sim = float(ma @ mb / (np.linalg.norm(ma) * np.linalg.norm(mb)))
        ab.append(sim)
        margins.append(min(self_sim[a], self_sim[b]) - sim)
    below = sum(m > 0 for m in margins)
    return (f"distinct speakers {len(uses):>3}  most uses of one voice {max(uses.values()):>3}  "
            f"A-B below both self-similarities {below}/{len(margins)}  "
            f"A-B sim median {np.median(ab):.3f} max {max(ab):.3f}  margin min {min(margins):+.3f} "
            f"median {np.median(margins):+.3f}")


#: what each voice of ``--bank default`` says: four "dialogues" of two turns each
SETS = (
    ("Hi, I'd like to book a table for two on Saturday evening.", "That sounds lovely, thank you so much."),
    ("My laptop will not connect to the wifi since this morning.", "I already restarted it twice, and nothing changed."),
    ("We walked along the river until the sun went down.", "Honestly, it was the best weekend I have had in months."),
    ("Could you send me the invoice by the end of the week?", "Great, and please copy my colleague on that email."),
)


def default_cast_table(include_all: bool) -> None:
    """Print the same-speaker and nearest-voice figures of the shipped bank (see the module doc)."""
    from eval.speaker_diversity import SAME_SPEAKER_COSINE, cluster_embeddings
    from speech.synthesize import SpeechConfig, TTSPool, speak_text
    from speech.voices import default_cast, default_voice_bank

    bank = default_voice_bank()
    voices = list(bank.values()) if include_all else default_cast(bank)
    pool, config, encoder = TTSPool(), SpeechConfig(cache_dir=None), SpeakerEncoder()
    start = time.perf_counter()
    sets: dict[str, list[np.ndarray]] = {}
    for voice in voices:
        for turns in SETS:
            embs = [encoder.embed(s.samples, s.sampling_rate) for s in (speak_text(t, voice, pool, config) for t in turns)]
            embs = [e / np.linalg.norm(e) for e in embs if e is not None]
            if embs:
                sets.setdefault(voice.id, []).append(np.mean(embs, axis=0))
    means = {v: np.mean(es, axis=0) for v, es in sets.items()}
    cos = lambda a, b: float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))  # noqa: E731
    print(f"{len(voices)} voices x {len(SETS)} sets of {len(SETS[0])} sentences, spoken and embedded in "
          f"{time.perf_counter() - start:.0f} s")
    print(f"{'voice':26} {'gender':7} {'cast':5} {'same min':>8} {'same med':>8}  nearest other voice (cosine)")
    same_all = []
    for v, es in sets.items():
        same = [cos(a, b) for i, a in enumerate(es) for b in es[i + 1:]]
        same_all += same
        near = max((o for o in means if o != v), key=lambda o: cos(means[v], means[o]))
        print(f"{v:26} {bank[v].gender or '':7} {'yes' if bank[v].cast else 'no':5} {min(same):8.3f} "
              f"{float(np.median(same)):8.3f}  {near} ({cos(means[v], means[near]):.3f})")
    cross = [cos(a, b) for v in sets for o in sets if o > v for a in sets[v] for b in sets[o]]
    print(f"same-speaker pairs {len(same_all)}: min {min(same_all):.3f}, 1st pct {np.percentile(same_all, 1):.3f}, "
          f"5th pct {np.percentile(same_all, 5):.3f}; different-voice pairs {len(cross)}: "
          f"median {np.median(cross):.3f}, 95th pct {np.percentile(cross, 95):.3f}, max {max(cross):.3f}")
    ids = [v for v, es in sets.items() for _ in es]
    labels = cluster_embeddings(np.stack([e for es in sets.values() for e in es]), SAME_SPEAKER_COSINE)
    clusters: dict[int, Counter[str]] = {}
    for v, c in zip(ids, labels):
        clusters.setdefault(int(c), Counter())[v] += 1
    genders = Counter()
    for c, members in sorted(clusters.items(), key=lambda kv: -sum(kv[1].values())):
        g = Counter(bank[v].gender or "unknown" for v in members.elements()).most_common(1)[0][0]
        genders[g] += 1
        print(f"  cluster {c:2d} ({g}): " + ", ".join(f"{v} x{n}" for v, n in members.most_common()))
    print(f"distinct speakers at cosine {SAME_SPEAKER_COSINE}: {len(clusters)} "
          f"({', '.join(f'{n} {g}' for g, n in genders.most_common())})")


def corpus_table(corpus: Path) -> None:
    """Print :func:`duplexsynth.pipeline.corpus_speakers` of ``corpus`` as a table."""
    from duplexsynth.pipeline import corpus_speakers
    from speech.voices import default_voice_bank

    bank = default_voice_bank()
    spk = corpus_speakers(corpus)
    ab = spk["ab_similarity"]
    print(f"{corpus}: {spk['distinct_speakers']} distinct speakers (clusters at cosine {spk['same_speaker_cosine']}) "
          f"from {spk['voices_used']} voices, {spk['embedded']} speakers embedded; A-B similarity mean {ab['mean']}, "
          f"median {ab['median']}, max {ab['max']} over {ab['dialogues']} dialogues")
    print(f"{'voice':26} {'gender':7} {'dialogues':>9} {'share':>7} {'WER':>7} {'cluster':>7}")
    for v, r in sorted(spk["voices"].items(), key=lambda kv: -kv[1]["dialogues"]):
        wer = "n/a" if r["wer"] is None else f"{100 * r['wer']:.1f}%"
        gender = bank[v].gender if v in bank else "?"
        print(f"{v:26} {gender or '':7} {r['dialogues']:>9} {100 * r['share']:>6.1f}% {wer:>7} {str(r['cluster']):>7}")
    genders = Counter(Counter(bank[v].gender if v in bank else "?" for v, n in c["voices"].items()
                              for _ in range(n)).most_common(1)[0][0] for c in spk["clusters"])
    print("clusters by gender: " + ", ".join(f"{n} {g}" for g, n in genders.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None, help="print the speaker figures of this corpus")
    parser.add_argument("--bank", choices=("random", "default"), default="random",
                        help="random: a random-weight multi-speaker piper voice; default: the shipped default cast")
    parser.add_argument("--all", action="store_true", help="with --bank default: every shipped voice")
    parser.add_argument("--speakers", type=int, default=60)
    parser.add_argument("--dialogues", type=int, default=100)
    parser.add_argument("--max-uses", type=int, default=4, help="corpus-wide cap on one voice's uses")
    parser.add_argument("--seed", type=int, default=0, help="random weights of the voice")
    args = parser.parse_args()
    if args.corpus is not None:
        corpus_table(args.corpus)
        return
    if args.bank == "default":
        default_cast_table(args.all)
        return
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        onnx = build_random_piper_voice(Path(tmp) / "random-multi.onnx",
                                        [f"spk{i:03d}" for i in range(args.speakers)], seed=args.seed)
        voices = voices_from_source(onnx)
        engine = PiperTTS(PiperConfig(noise_scale=0.0, noise_w_scale=0.0))  # deterministic: no sampling noise
        encoder = SpeakerEncoder()
        reference = sentence_embeddings(voices, engine, encoder, REFERENCE_SENTENCES)
        embeddings = {v: np.mean(es, axis=0) / np.linalg.norm(np.mean(es, axis=0)) for v, es in reference.items()}
        held = sentence_embeddings(voices, engine, encoder, HELD_OUT)
        # a voice resemblyzer cannot embed (no speech left after its trimming) is not cast
        bank = {v.id: v for v in voices if v.id in embeddings}
        built = time.perf_counter() - start
        config = load_config(None, {"dialogues": args.dialogues, "seed": 0})
        personas = [(p.dialogue_id, planned_personas(p.scenario, p.seed)) for p in dialogue_plan(config)]
        per_dialogue = [cast_variants(bank, ps, did, 1)[0][1] for did, ps in personas]
        caster = CorpusCaster(bank, CastingConfig(max_uses_per_voice=args.max_uses), embeddings)
        corpus_wide = [caster.cast(ps, did) for did, ps in personas]
    print(f"{args.speakers}-speaker random-weight piper voice, {args.dialogues} dialogues, "
          f"{len(embeddings)} voices embedded, {len(held)} with both held-out sentences; "
          f"build + embed {built:.0f} s")
    print(f"per dialogue (cast_variants)              {score(per_dialogue, held)}")
    print(f"corpus-wide (embeddings, max uses {args.max_uses:<2})     {score(corpus_wide, held)}")
    self_sims = [float(es[0] @ es[1]) for es in held.values() if len(es) == 2]
    print(f"self-similarity over speakers: median {np.median(self_sims):.3f} min {min(self_sims):.3f}")


if __name__ == "__main__":
    main()
