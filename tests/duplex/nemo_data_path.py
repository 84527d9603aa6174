"""NeMo speechlm2's data path for Duplex S2S, re-done line by line on lhotse 1.33.

``nemo_toolkit`` is not a project dependency: importing
``nemo.collections.speechlm2.data.s2s_dataset`` pulls the whole speechlm2 and ASR
collections (lightning, hydra, omegaconf, wandb, peft, accelerate, datasets, pyarrow,
sacrebleu, webdataset, nv_one_logger, ... about 30 packages beyond the project's).
So the tests perform the same accesses here, citing NVIDIA/NeMo at ``8cfedd7``
(``nemo/collections/speechlm2/data/s2s_dataset.py`` unless noted); where NeMo is
importable (:data:`NEMO`), a test also runs NeMo's own ``DuplexS2SDataset`` and
``read_cutset_from_config`` and compares their batch with this one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import torch
from lhotse import CutSet, Recording, compute_num_frames
from lhotse.dataset.collation import collate_audio, collate_vectors

try:  # the real thing, when a NeMo install is on the path
    from nemo.collections.common.data.lhotse.cutset import (
        read_cutset_from_config as _nemo_read,
    )
    from nemo.collections.speechlm2.data.s2s_dataset import (
        DuplexS2SDataset as NemoDuplexS2SDataset,
    )

    NEMO = True
except ImportError:
    NEMO = False

#: s2s_duplex.yaml:98-102
FRAME_LENGTH = 0.08
SOURCE_SAMPLE_RATE = 16000
TARGET_SAMPLE_RATE = 22050
INPUT_ROLES = {"user", "User"}
OUTPUT_ROLES = {"agent", "Assistant"}


class WordTokenizer:
    """A stand-in for NeMo's TokenizerSpec: one id per word, with BOS, EOS, PAD and UNK.

    NeMo asserts ``bos`` and ``eos`` exist (s2s_dataset.py:99-100), pads with ``pad``
    (``speechlm2/data/utils.py`` ``get_pad_id``) and calls ``text_to_ids`` (line 160).
    """

    pad, bos, eos, unk_id = 0, 1, 2, 3

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}

    def text_to_ids(self, text: str) -> list[int]:
        return [self.vocab.setdefault(w, 10 + len(self.vocab)) for w in text.split()]


def _resolve(source: Any, manifest: Path) -> None:
    # manifest.py:263-293 get_full_path: a relative path joins the manifest's folder if that file exists
    if source.type == "file" and not os.path.isabs(source.source):
        joined = os.path.join(os.path.dirname(manifest), source.source)
        if os.path.isfile(joined):
            source.source = os.path.abspath(joined)


def read_shar_with_nemo(shar_dir: Path) -> CutSet:
    """NeMo's own reader of a ``lhotse_shar`` input (cutset.py:404-437; needs :data:`NEMO`)."""
    from omegaconf import OmegaConf

    config = OmegaConf.create({"shar_path": str(shar_dir), "force_finite": True})
    return CutSet.from_cuts(list(_nemo_read(config)[0]))


def read_cuts_like_nemo(cuts_path: Path, real: bool = False) -> CutSet:
    """cutset.py:506-507: ``CutSet.from_file(path).map(resolve_relative_paths)``; 651-697 resolve
    the recording and every custom Recording (``target_audio``) against the manifest's folder.

    :param real: use NeMo's own ``read_cutset_from_config`` (needs :data:`NEMO`).
    """
    if real:
        from omegaconf import OmegaConf

        return CutSet.from_cuts(list(_nemo_read(OmegaConf.create({"cuts_path": str(cuts_path), "force_finite": True}))[0]))
    cuts = []
    for cut in CutSet.from_file(cuts_path):
        for source in cut.recording.sources:
            _resolve(source, cuts_path)
        for value in (cut.custom or {}).values():
            if isinstance(value, Recording):
                for source in value.sources:
                    _resolve(source, cuts_path)
        cuts.append(cut)
    return CutSet.from_cuts(cuts)


def build_token_channel(cut: Any, tokenizer: WordTokenizer, roles: set[str], pad_id: int) -> torch.Tensor:
    """s2s_dataset.py:145-190."""
    total = compute_num_frames(cut.duration, FRAME_LENGTH, cut.sampling_rate)  # :156
    tokens = torch.ones(total, dtype=torch.long) * pad_id  # :157
    for supervision in cut.supervisions:  # :158
        if supervision.speaker in roles:  # :159
            text_ids = torch.as_tensor([tokenizer.bos] + tokenizer.text_to_ids(supervision.text))  # :160
            pos = compute_num_frames(supervision.start, FRAME_LENGTH, cut.sampling_rate)  # :163
            if pos > len(tokens):  # :164-168
                continue
            endpos = pos + len(text_ids)  # :173
            if endpos > len(tokens):  # :174-179
                text_ids = text_ids[: len(tokens) - pos]
            try:
                tokens[pos:endpos] = text_ids  # :181
            except Exception as e:  # :182-183: a negative start lands here
                raise RuntimeError(f"{tokens.shape=} {pos=} {endpos=} {text_ids.shape=} {cut.id=}") from e
            eospos = compute_num_frames(supervision.end, FRAME_LENGTH, cut.sampling_rate)  # :186
            if eospos < len(tokens):  # :187-188
                tokens[eospos] = tokenizer.eos
    return tokens


def _collate_token_channel(cuts: CutSet, tokenizer: WordTokenizer, roles: set[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """s2s_dataset.py:129-142 (pad id: ``get_pad_id`` takes ``tokenizer.pad``)."""
    tokens = [build_token_channel(c, tokenizer, roles, tokenizer.pad) for c in cuts]
    lens = torch.tensor([len(t) for t in tokens])
    return collate_vectors(tokens, padding_value=tokenizer.pad), lens


def _strip_timestamps(text: str) -> str:
    """s2s_dataset.py:193-204."""
    return re.sub(r"\s+", " ", re.sub(r"<\|\d+\|>", "", text)).strip()


def nemo_batch(cuts: CutSet, tokenizer: WordTokenizer, real: bool = False) -> dict[str, Any]:
    """``DuplexS2SDataset.__getitem__`` (s2s_dataset.py:102-126) on one batch of cuts.

    :param real: let NeMo's own ``DuplexS2SDataset`` build the batch (needs :data:`NEMO`).
    """
    if real:
        dataset = NemoDuplexS2SDataset(tokenizer, FRAME_LENGTH, SOURCE_SAMPLE_RATE, TARGET_SAMPLE_RATE,
                                       sorted(INPUT_ROLES), sorted(OUTPUT_ROLES))
        return dataset[cuts]
    cuts = cuts.transform_text(_strip_timestamps)  # :103
    source_audio, source_audio_lens = collate_audio(cuts.resample(SOURCE_SAMPLE_RATE))  # :104
    # :105-107 at 8cfedd7: only cut.recording is resampled; target_audio is read at its own rate
    target_audio, target_audio_lens = collate_audio(cuts.resample(TARGET_SAMPLE_RATE), recording_field="target_audio")
    target_tokens, target_token_lens = _collate_token_channel(cuts, tokenizer, OUTPUT_ROLES)  # :108-110
    source_tokens, source_token_lens = _collate_token_channel(cuts, tokenizer, INPUT_ROLES)  # :111-113
    return {
        "source_audio": source_audio, "source_audio_lens": source_audio_lens,
        "target_audio": target_audio, "target_audio_lens": target_audio_lens,
        "target_tokens": target_tokens, "target_token_lens": target_token_lens,
        "source_tokens": source_tokens, "source_token_lens": source_token_lens,
        "target_texts": [" ".join(s.text for s in c.supervisions if s.speaker in OUTPUT_ROLES) for c in cuts],  # :123-125
    }
