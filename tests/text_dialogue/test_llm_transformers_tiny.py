"""The transformers backend on a tiny random-weight Llama saved in the test, loaded by path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _require import require

from text_dialogue.agents import AgentLoopConfig, generate_dialogue
from text_dialogue.critic import CriticConfig
from text_dialogue.llm.base import GenerationParams, SamplingConfig, get_llm
from text_dialogue.scenario import get_scenario

WORDS = ("hi hello yes no sure table friday seven the a for you I we like book please thanks okay great "
         "time day name four two see then bye is it that what when how can do have good fine").split()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = require("torch")
    transformers = require("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers

    folder = tmp_path_factory.mktemp("tiny-llama")
    vocab = {tok: i for i, tok in enumerate(["<unk>", "<s>", "</s>", "<pad>", ":", "\n", ".", ","] + WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split("\n", "isolated"),
                                                 pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Punctuation()])
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>",
                                                eos_token="</s>", pad_token="<pad>")
    fast.chat_template = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"
    fast.save_pretrained(folder)
    config = transformers.LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64,
                                      num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                                      max_position_embeddings=1024, bos_token_id=1, eos_token_id=2,
                                      pad_token_id=3)
    torch.manual_seed(0)  # the test's own weights; the backend never touches global seeds
    transformers.LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def test_from_pretrained_by_path_generates_seeded_text(tiny_model: Path) -> None:
    llm = get_llm("transformers", {"model": str(tiny_model), "local_files_only": True})
    params = GenerationParams(max_tokens=12, temperature=1.0, seed=3)
    one = llm.complete("hi . sure", params)
    assert one.text and one.num_tokens > 0
    # no cache between calls: the whole prompt ("hi . sure" is 3 words, plus any BOS) is evaluated
    assert one.prompt_tokens >= 3 and one.prompt_evaluated == one.prompt_tokens
    assert set(one.text.replace(".", " ").replace(",", " ").split()) <= set(WORDS) | {":", "<unk>"}
    assert llm.complete("hi . sure", params).text == one.text  # same seed, same text
    stopped = llm.complete("hi", GenerationParams(max_tokens=40, temperature=1.0, seed=5, stop=("table",)))
    assert "table" not in stopped.text
    assert llm.model_info()["backend"] == "transformers"


def test_agent_loop_with_chat_template(tiny_model: Path) -> None:
    llm = get_llm("transformers", {"model": str(tiny_model), "local_files_only": True, "chat": True})
    assert llm.uses_chat
    # Random weights write word salad: a permissive critic lets the loop run to its end.
    critic = CriticConfig(min_words=1, max_words=100, min_english_share=0.0, max_ngram_overlap=1.1,
                          max_ngram_count=100, min_dialogue_turns=2)
    # free-form: a planned dialogue would fall back to the scenario's example lines, not the model's words
    config = AgentLoopConfig(mode="free", max_turns=3, target_turns=3, params=SamplingConfig(max_tokens=8), critic=critic)
    # seeded weights and sampling: this seed gives a dialogue the permissive critic accepts
    d = generate_dialogue(llm, get_scenario("tutoring"), "tf1", seed=1, config=config)
    assert 2 <= len(d.turns) <= 3 and d.meta["llm"]["model"] == str(tiny_model)
    assert [t.speaker for t in d.turns] == ["A", "B", "A"][:len(d.turns)]
    for turn in d.turns:  # every word comes from the tiny vocabulary, through the chat template
        assert turn.text and set(turn.text.replace(".", " ").replace(",", " ").replace(":", " ").split()) <= set(WORDS)
    again = generate_dialogue(llm, get_scenario("tutoring"), "tf1", seed=1, config=config)
    assert [t.text for t in again.turns] == [t.text for t in d.turns]


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    from corpus_core.errors import BackendError

    with pytest.raises(BackendError, match="cannot load"):
        get_llm("transformers", {"model": str(tmp_path / "nothing"), "local_files_only": True})


def test_heavy_engines_load_only_in_their_backend() -> None:
    code = ("import sys, text_dialogue.llm, text_dialogue.agents, text_dialogue.importers;"
            "print(sorted(m for m in ('torch', 'transformers', 'llama_cpp', 'requests') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
