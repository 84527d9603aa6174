"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from corpus_core.atomic import TEMP_PREFIX, sweep_temp_files
from corpus_core.errors import ConfigError, DuplexsynthError
from corpus_core.lock import CorpusLock
from duplexsynth.config import RunConfig, load_config, upgrade_saved_config
from duplexsynth.meta import read_meta
from text_dialogue.llm.llamacpp import VERBOSE_ENV

__all__ = ["config_options", "verbose_option", "corpus_argument", "build_config", "saved_config", "writable_corpus", "locked_corpus",
           "handle_errors", "exit_for"]

log = logging.getLogger(__name__)
#: prefix of the probe file :func:`writable_corpus` creates (swept like atomic temp files)
_WRITE_TEST = ".write-test-"


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config`` and ``--seed``, shared by every stage command."""
    func = click.option("--seed", type=int, default=None, help="Master seed (default: the config's, 0).")(func)
    func = click.option(
        "--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
        help="YAML or TOML run config; command-line options override it.",
    )(func)
    return func


def _set_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:  # the environment reaches every worker process (and a local Ray cluster's actors)
        os.environ[VERBOSE_ENV] = "1"


verbose_option = click.option(
    "--verbose", "-v", is_flag=True, expose_value=False, callback=_set_verbose,
    help=f"Let the engines write their own logs (llama.cpp's) to stderr; same as {VERBOSE_ENV}=1.")

corpus_argument = click.argument("corpus", type=click.Path(file_okay=False, path_type=Path))


def build_config(config_path: Path | None, corpus: Path | None = None, **overrides: Any) -> RunConfig:
    """The corpus's saved config (meta.json), updated by the config file and the options given.

    A stage run on an existing corpus thus keeps the seed and settings it was made with.
    """
    return load_config(config_path, overrides, base=saved_config(corpus))


def saved_config(corpus: Path | None) -> dict[str, Any] | None:
    """The config saved in the corpus's meta.json, if the corpus exists."""
    if corpus is None or not corpus.is_dir():
        return None
    saved = read_meta(corpus).get("config")
    return upgrade_saved_config(saved, str(corpus / "meta.json")) if isinstance(saved, dict) else saved


def writable_corpus(corpus: Path) -> Path:
    """Create the corpus folder and prove it is writable, before any work starts."""
    try:
        corpus.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=corpus, prefix=_WRITE_TEST):
            pass
    except OSError as e:
        raise ConfigError(f"cannot write to the corpus folder {corpus}: {e.strerror or e}; choose another --out") from None
    return corpus


@contextlib.contextmanager
def locked_corpus(corpus: Path) -> Iterator[Path]:
    """Create the corpus folder, hold its lock for the command, and sweep a killed run's temp files.

    :raises CorpusLocked: (exit 2) naming the pid of the run that holds the folder.
    """
    writable_corpus(corpus)
    with CorpusLock(corpus):
        removed = sweep_temp_files(corpus, (TEMP_PREFIX, _WRITE_TEST))
        if removed:
            log.warning("%s: removed %d temp file(s) left by a killed run", corpus, len(removed))
        yield corpus


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`DuplexsynthError` into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        logging.basicConfig(level=os.environ.get("DUPLEXSYNTH_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
        try:
            return func(*args, **kwargs)
        except DuplexsynthError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)

    return wrapper


def exit_for(reports: list[Any]) -> None:
    """Exit with status 1 when any stage logged a failed dialogue."""
    failed = sum(len(r.failed) for r in reports)
    if failed:
        click.echo(f"{failed} item(s) failed; see failures.jsonl in the corpus folder", err=True)
        sys.exit(1)
