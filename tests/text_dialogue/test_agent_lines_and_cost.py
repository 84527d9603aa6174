"""The LLM writes the lines: copies of scenario lines lose to the model's own words, the chat
instruction carries the act, its facts and the recent turns, and every call's cost is counted.

The model tests run the real engines: the shipped Gemma 3 270M through llama-cpp-python,
and the same GGUF behind a real ``llama_cpp.server`` on 127.0.0.1.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from dataclasses import replace
from typing import Any, Iterator

import pytest
from _require import require

from text_dialogue.agents import AgentLoopConfig, generate_dialogue, sample_personas
from text_dialogue.content import states
from text_dialogue.critic import choose_candidate, clean_turn_text, copies_example, example_word_lines
from text_dialogue.flow import fill, plan_flow
from text_dialogue.llm.base import LLM, Completion, GenerationParams
from text_dialogue.prompts import build_messages, build_planned_prompt
from text_dialogue.records import Turn
from text_dialogue.scenario import get_scenario

#: a short planned booking call (the core flow, no chit-chat)
SHORT = AgentLoopConfig(duration=None, max_turns=6)


class Recorder(LLM):
    """Passes every call to ``inner`` and keeps what was sent and what came back."""

    name = "recorder"
    config_type = dict

    def __init__(self, inner: LLM) -> None:
        super().__init__({})
        self.inner = inner
        self.uses_chat = getattr(inner, "uses_chat", False)
        self.outputs: list[Completion] = []
        self.sent: list[Any] = []

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        self.sent.append(prompt)
        self.outputs.append(self.inner.complete(prompt, params))
        return self.outputs[-1]

    def chat(self, messages: list[dict[str, str]], params: GenerationParams) -> Completion:
        self.sent.append(messages)
        self.outputs.append(self.inner.chat(messages, params))  # type: ignore[attr-defined]
        return self.outputs[-1]

    def model_info(self) -> dict[str, Any]:
        return self.inner.model_info()


class Scripted(LLM):
    """Returns scripted lines in order (pure loop logic)."""

    name = "scripted"
    config_type = dict

    def __init__(self, lines: list[str]) -> None:
        super().__init__({})
        self.lines = lines

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        return Completion(text=self.lines.pop(0), num_tokens=3, prompt_tokens=10, prompt_evaluated=4)


def _plan(seed: int = 3) -> tuple[Any, dict[str, Any], list[Any]]:
    scenario = get_scenario("booking")
    rng = random.Random(seed)
    facts: dict[str, dict[str, str]] = {}
    personas = sample_personas(scenario, rng, facts)
    values = {**facts["A"], **facts["B"], "A_name": personas["A"].name, "B_name": personas["B"].name}
    return scenario, personas, plan_flow(scenario.flow, values, rng, None)


def test_a_copy_of_a_scenario_line_is_sampled_again_and_kept_as_the_last_choice() -> None:
    scenario, personas, plan = _plan()
    first = plan[0].line  # what a model that copies the example call writes
    # turn 0: a copy, then the model's own words; turn 1: only copies (kept after copy_tries)
    lines = [first, f"Hi there, is a table for {plan[0].values['party']} on {plan[0].values['day']} possible?",
             plan[1].line, plan[1].line, plan[1].line, f"Well, {plan[2].line}", f"Well, {plan[3].line}"]
    config = replace(SHORT, max_turns=4, copy_tries=2)
    d = generate_dialogue(Scripted(lines), scenario, "c1", seed=3, config=config)
    assert d.turns[0].text.startswith("Hi there") and d.turns[1].text == plan[1].line
    assert d.meta["rejected_turns"]["example_copy"] == 3 and d.meta["copied_turns"] == 1
    assert d.meta["template_turns"] == 0  # the copy passed the critic: not a fallback
    gen = d.meta["generation"]
    assert (gen["calls"], gen["generated_tokens"], gen["prompt_tokens"], gen["prompt_evaluated_tokens"]) == (
        7, 21, 70, 28)
    assert gen["calls_per_turn"] == 1.75


def test_copy_check_finds_runs_of_lines_and_only_them() -> None:
    scenario, personas, plan = _plan()
    examples = example_word_lines([p.line for p in plan])
    assert copies_example(plan[0].line.upper(), examples)
    assert copies_example(f"{plan[1].line} {plan[2].line}", examples)
    assert not copies_example(plan[0].line + " Thanks so much for your help", examples)


def test_other_example_call_leaves_out_the_acts_without_facts() -> None:
    scenario, personas, plan = _plan()
    llm = Recorder(Scripted([f"{p.line} Lovely, really." for p in plan] * 3))
    d = generate_dialogue(llm, scenario, "c2", seed=3, config=replace(SHORT, max_turns=12, example_call="other"))
    plan = plan[: len(d.meta["plan"])]
    earlier = llm.sent[0].split("An earlier call:")[1].split("Today's call:")[0].strip().splitlines()
    kept = [p.name for i, p in enumerate(plan)
            if p.values or p.line.rstrip().endswith("?") or i >= len(plan) - 2]
    assert 0 < len(earlier) == len(kept) < len(plan)
    assert [line.split("[")[1].split("]")[0].split(":")[0] for line in earlier] == [
        n.replace("_", " ").replace("+", " and ") for n in kept]
    # the example call is drawn once: every prompt of the dialogue starts the same way
    assert all(prompt.startswith(llm.sent[0].split("Today's call:")[0]) for prompt in llm.sent)


@pytest.fixture(scope="module")
def gemma() -> Iterator[LLM]:
    require("llama_cpp")
    from text_dialogue.llm.llamacpp import LlamaCppConfig, LlamaCppLLM

    llm = LlamaCppLLM(LlamaCppConfig(n_threads=2))
    yield llm
    llm.close()


def test_llamacpp_reports_usage_and_reuses_its_cached_prefix(gemma: LLM) -> None:
    params = GenerationParams(max_tokens=8, stop=("\n",), seed=1)
    prompt = "Maya: Hi, is this the Olive Tree?\nJames: It is. How can I help?\nMaya:"
    gemma.complete("A different prompt entirely, to clear the cache.", params)
    first = gemma.complete(prompt, params)
    again = gemma.complete(prompt, replace(params, seed=2))  # a retry branches from the cache
    longer = gemma.complete(prompt + " I'd like a table.\nJames:", params)
    assert first.num_tokens > 0 and first.prompt_tokens > 15
    assert first.prompt_evaluated is not None and first.prompt_evaluated >= first.prompt_tokens - 1
    assert again.prompt_tokens == first.prompt_tokens and again.prompt_evaluated == 1
    assert longer.prompt_tokens > first.prompt_tokens
    assert 0 < longer.prompt_evaluated < longer.prompt_tokens - first.prompt_tokens + 4  # type: ignore[operator]


def test_generation_meta_is_the_sum_of_the_calls(gemma: LLM) -> None:
    llm = Recorder(gemma)
    d = generate_dialogue(llm, get_scenario("booking"), "g1", seed=11, config=SHORT)
    gen = d.meta["generation"]
    assert gen["calls"] == len(llm.outputs) >= len(d.turns)
    assert gen["generated_tokens"] == sum(o.num_tokens for o in llm.outputs) > 0
    assert gen["prompt_tokens"] == sum(o.prompt_tokens for o in llm.outputs)
    assert gen["prompt_evaluated_tokens"] == sum(o.evaluated_tokens for o in llm.outputs)
    # one shared transcript: each prompt extends the one before, so most of it comes from the cache
    assert gen["prompt_evaluated_tokens"] < gen["prompt_tokens"] / 3
    assert gen["calls_per_turn"] == round(gen["calls"] / len(d.turns), 3)


def _one_word_fact_turn() -> tuple[Any, dict[str, Any], list[Any], int]:
    """The first seeded plan with a later A turn that carries one one-word fact (Gemma 270M can say
    "eight" in words of its own; "seven forty-five" it rounds to "seven", and a name it only repeats)."""
    for seed in range(3, 60):
        scenario, personas, plan = _plan(seed)
        for i, p in enumerate(plan):
            (key, value), *rest = p.values.items() if p.values else [("", " ")]
            if i > 0 and p.speaker == "A" and not rest and " " not in value and not key.endswith("_name"):
                return scenario, personas, plan, i
    raise AssertionError("no seeded booking plan has a one-word single-fact A turn")


def test_critic_prefers_gemmas_own_words_to_the_copied_line(gemma: LLM) -> None:
    scenario, personas, plan, k = _one_word_fact_turn()
    turns = [Turn(index=i, speaker=p.speaker, text=p.line) for i, p in enumerate(plan[:k])]
    values = {"party": "seven", "day": "Monday", "time": "nine", "A_name": personas["A"].name}
    prompt = build_planned_prompt(scenario, personas, plan, turns, values)
    examples = example_word_lines([fill(line, plan[k].values) for a in scenario.flow.acts() for line in a.say])
    value = next(iter(plan[k].values.values()))
    own = []
    for seed in range(12):  # Gemma's tries until one says the fact in words of its own
        out = gemma.complete(prompt, GenerationParams(max_tokens=30, temperature=1.0, stop=("\n",), seed=seed))
        text = clean_turn_text(out.text)
        if states(text, value) and not copies_example(text, examples):
            own.append(text)
            break
    assert own, "Gemma never paraphrased the act in 12 tries"
    candidates = [plan[k].line, own[0]]  # the verbatim copy first: it still loses
    assert copies_example(candidates[0], examples)
    assert choose_candidate(candidates, [True, True], examples) == 1
    assert choose_candidate(candidates, [True, False], examples) == 0  # facts come first


@pytest.fixture(scope="module")
def chat_server() -> Iterator[str]:
    """A real llama_cpp.server on 127.0.0.1 with the shipped Gemma GGUF (its own chat template)."""
    require("llama_cpp.server")
    requests = require("requests")
    from text_dialogue.llm.llamacpp import default_gguf_path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", "2", "--n_ctx", "2048"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(240):  # up to 60 s on a busy machine
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
            try:
                if requests.get(f"{url}/models", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.25)
        else:
            pytest.fail("llama_cpp.server did not become ready")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_chat_instruction_carries_the_act_facts_and_recent_turns(chat_server: str) -> None:
    from text_dialogue.llm.openai import OpenAIConfig, OpenAILLM

    llm = Recorder(OpenAILLM(OpenAIConfig(base_url=chat_server, model="gemma", endpoint="chat")))
    scenario = get_scenario("booking")
    config = replace(SHORT, max_turns=4, max_retries=1, copy_tries=0)
    d = generate_dialogue(llm, scenario, "chat1", seed=5, config=config)
    assert len(d.turns) == 4 and d.meta["generation"]["prompt_tokens"] > 0
    rng = random.Random(5)
    facts: dict[str, dict[str, str]] = {}
    sample_personas(scenario, rng, facts)
    systems: dict[str, set[str]] = {"A": set(), "B": set()}
    for messages, turn_no in zip(llm.sent, range(len(d.turns))):
        note = messages[-1]["content"]
        assert messages[-1]["role"] == "user" and "Now say" in note
        act = d.meta["plan"][turn_no].replace("_", " ").split("+")[0]
        assert act.split()[0] in note  # the act (its do: text or its name)
        for earlier in d.turns[max(0, turn_no - 2):turn_no]:  # the recent turns, quoted
            assert f'"{earlier.text}"' in note
        systems[d.turns[turn_no].speaker].add(messages[0]["content"])
    assert all(len(s) == 1 for s in systems.values())  # a stable prefix for the server's cache
    with_facts = [m for m in llm.sent if "state these facts" in m[-1]["content"]]
    assert with_facts
    for messages in with_facts:
        stated = messages[-1]["content"].split("state these facts: ")[1].split(". A line like")[0]
        assert all(v.split(": ", 1)[1] in stated for v in stated.split("; "))
    values = [v for fs in facts.values() for v in fs.values()]
    assert any(v in m[-1]["content"] for m in with_facts for v in values)


def test_build_messages_puts_the_instruction_last_and_keeps_history_intact() -> None:
    scenario, personas, plan = _plan()
    k = next(i for i, p in enumerate(plan) if p.values and i >= 3)
    turns = [Turn(index=i, speaker=p.speaker, text=p.line) for i, p in enumerate(plan[:k])]
    messages = build_messages(scenario, personas, plan[k].speaker, turns, "<end>", planned=plan[k])
    plain = build_messages(scenario, personas, plan[k].speaker, turns, "<end>")
    assert messages[:-1] == plain[:-1] and messages[-1]["content"].startswith(plain[-1]["content"])
    note = messages[-1]["content"]
    assert all(v in note for v in plan[k].values.values())
    assert f'"{turns[-1].text}"' in note and f'"{turns[-2].text}"' in note and turns[0].text not in note
