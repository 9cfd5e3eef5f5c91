"""Loaders for datasets/."""

from __future__ import annotations

import json
from pathlib import Path

DATASETS = Path(__file__).resolve().parent.parent / "datasets"


def load_tickets(split: str | None = None, include_anomalies: bool = False) -> list[dict]:
    """The Fernquill support tickets (datasets/support_tickets/tickets.jsonl), in file order.

    Each ticket is {"id", "text", "intent", "sentiment", "split", "anomaly"}; see the
    dataset's README. `split` is "train", "test" or None (both). The planted off-topic
    messages (`anomaly: true`, no intent, sentiment or split) are left out unless
    `include_anomalies=True`, which adds all of them whatever the split.

        len(load_tickets("test")) -> 48
        {t["intent"] for t in load_tickets()} -> {"billing", "bug", "feature_request",
                                                  "account_access", "cancellation", "praise"}
    """
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    path = DATASETS / "support_tickets" / "tickets.jsonl"
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [
        r for r in rows
        if (r["anomaly"] and include_anomalies) or (not r["anomaly"] and split in (None, r["split"]))
    ]


def load_catalog() -> list[dict]:
    """The course catalogue (datasets/catalog/catalog.jsonl), in file order.

    Each item is {"id", "title", "description", "category"}; see the dataset's README.

        len(load_catalog()) -> 144
        load_catalog()[0]["id"] -> "c001"
    """
    path = DATASETS / "catalog" / "catalog.jsonl"
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _front_matter(raw: str, path: Path) -> tuple[dict, str]:
    """Split a markdown file into its `key: value` front matter and its body."""
    if not raw.startswith("---\n"):
        raise ValueError(f"{path.name}: a handbook document starts with a '---' front matter block")
    head, sep, body = raw[4:].partition("\n---\n")
    if not sep:
        raise ValueError(f"{path.name}: the front matter block is not closed with '---'")
    fields = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if colon:
            fields[key.strip()] = value.strip().strip('"')
    return fields, body.lstrip("\n")


def load_handbook() -> list[dict]:
    """The Pellucid Harbor handbook and Driftmark product docs (datasets/handbook/docs/),
    sorted by id: 55 short markdown documents written for the course (CC-BY-4.0).

    Each document is {"id", "title", "section", "updated", "status", "version", "text"}:
    `section` is handbook | engineering | product | changelog, `status` is current or
    archived (superseded pages kept on purpose, to test recency), `version` the product
    version a page describes ("" if none), `text` the markdown body without front matter.

        len(load_handbook()) -> 55
        load_handbook()[0]["id"] -> "changelog-4-0"
    """
    rows = []
    for path in sorted((DATASETS / "handbook" / "docs").glob("*.md")):
        fields, body = _front_matter(path.read_text(encoding="utf-8"), path)
        rows.append({
            "id": fields.get("id", path.stem),
            "title": fields.get("title", ""),
            "section": fields.get("section", ""),
            "updated": fields.get("updated", ""),
            "status": fields.get("status", "current"),
            "version": fields.get("version", ""),
            "text": body,
        })
    return rows


def load_handbook_questions(split: str | None = None) -> list[dict]:
    """The handbook question set (datasets/handbook/questions.jsonl), in file order.

    Each question is {"id", "question", "answer", "doc_ids", "evidence", "kind", "split"}:
    `doc_ids` are the documents that answer it (any one is enough; empty when the corpus
    cannot answer, and then `answer` is "not in the documents"), `evidence` a verbatim quote
    from the first of them (markdown ** removed), `kind` one of fact, table, recency,
    keyword, paraphrase, unanswerable. `split` is "tune" (thresholds were set on it),
    "heldout" (never used to set them; datasets/handbook/README.md says which of its batches
    were analysed afterwards) or None (both).

        len(load_handbook_questions()) -> 307
        len(load_handbook_questions("heldout")) -> 154
    """
    if split not in (None, "tune", "heldout"):
        raise ValueError(f"split must be 'tune', 'heldout' or None, got {split!r}")
    path = DATASETS / "handbook" / "questions.jsonl"
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split in (None, r["split"])]


def load_dock_log(split: str | None = None) -> list[dict]:
    """Delivery notes and the log line each should become (datasets/dock_log/notes.jsonl),
    for lab 08's fine-tune: {"id", "text", "log", "split"}, split "train" (200) or
    "heldout" (40), or None for all 240.

        load_dock_log("heldout")[0]["log"] -> "date=...; cargo=...; qty=...; dock=..."
    """
    if split not in (None, "train", "heldout"):
        raise ValueError(f"split must be 'train', 'heldout' or None, got {split!r}")
    with open(DATASETS / "dock_log" / "notes.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split in (None, r["split"])]


def load_agent_tasks(split: str | None = None) -> list[dict]:
    """The agent task set (datasets/agent_tasks/tasks.jsonl), in file order: 44 questions
    about the Pellucid Harbor handbook that need a tool, written for lab 06 (CC-BY-4.0).

    Each task is {"id", "question", "answer", "kind", "tools", "doc_ids", "split"}: `kind` is
    arithmetic | lookup | two_step | no_answer | tool_fails; `answer` the expected answer
    ("" when a correct run states no number: the handbook does not say, or the tool it
    needs fails); `tools` the tool calls a correct run makes, in order; `doc_ids` the
    documents that hold the facts. `split` is "tune", "heldout" or None (both).

        len(load_agent_tasks()) -> 44
        len(load_agent_tasks("heldout")) -> 13
    """
    if split not in (None, "tune", "heldout"):
        raise ValueError(f"split must be 'tune', 'heldout' or None, got {split!r}")
    path = DATASETS / "agent_tasks" / "tasks.jsonl"
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split in (None, r["split"])]
