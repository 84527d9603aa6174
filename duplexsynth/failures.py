"""failures.jsonl: the items of a corpus that failed, each line scoped to a run and a stage.

A rerun retries every failed item, so when a stage starts its old failure lines are
removed: the file then holds exactly the items that failed in the latest run of each
stage (a rerun that succeeds leaves none). Each line carries the ``run`` id of the
process that wrote it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from corpus_core.atomic import write_text_atomic
from corpus_core.layout import FAILURES_FILE
from corpus_core.manifest import iter_jsonl

__all__ = ["RUN_ID", "log_failure", "reset_failures", "read_failures"]

log = logging.getLogger(__name__)
#: this process's run id: UTC start time and pid
RUN_ID = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}"


def read_failures(corpus: Path) -> list[dict]:
    """Every failure line of the corpus (empty when there is no file)."""
    path = Path(corpus) / FAILURES_FILE
    return [d for _, d in iter_jsonl(path)] if path.is_file() else []


def reset_failures(corpus: Path, stage: str) -> None:
    """Remove ``stage``'s failure lines (its failed items are about to be retried)."""
    rows = read_failures(corpus)
    keep = [r for r in rows if r.get("stage") != stage]
    if len(keep) != len(rows):
        write_text_atomic(Path(corpus) / FAILURES_FILE, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in keep))


def log_failure(corpus: Path, stage: str, item_id: str, reason: str) -> None:
    """Log and append one failed item (a whole line in one write, flushed to disk)."""
    log.error("%s: %s failed: %s", stage, item_id, reason)
    line = json.dumps({"type": "Failure", "run": RUN_ID, "stage": stage, "id": item_id, "reason": reason},
                      ensure_ascii=False) + "\n"
    with open(Path(corpus) / FAILURES_FILE, "a", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())
