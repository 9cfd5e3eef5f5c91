"""`aie doctor`: is this machine ready for the course? Each check says what is wrong and
the command that fixes it. Keys are reported as set or not set, never shown."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable

from . import config

FIX_SETUP = "run `make setup`"
WARNING = "warning: "  # a check whose detail starts with this passed, but says what to watch


def _python() -> str:
    version = sys.version.split()[0]
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 -- a venv made by hand may be older than pyproject allows
        raise RuntimeError(f"Python {version} is too old: the course needs 3.11 or newer")
    return version


def _packages() -> str:
    names = ["llama_cpp", "sentence_transformers", "tiktoken", "openai", "anthropic", "ollama", "pytest", "nbval"]
    missing = [n for n in names if importlib.util.find_spec(n) is None]
    if missing:
        raise RuntimeError(f"missing packages: {', '.join(missing)} — {FIX_SETUP}")
    import llama_cpp

    return f"{len(names)} core packages; llama-cpp-python {llama_cpp.__version__}"


def _local_chat() -> str:
    from .llm import chat
    from .llm._local import model_path

    path = model_path()
    start = time.perf_counter()
    reply = chat([{"role": "user", "content": "What is the capital of France?"}], provider="local", max_tokens=24)
    if "paris" not in reply.text.lower():
        raise RuntimeError(f"the local model answered {reply.text!r}; expected Paris")
    return f"{path.name} answers ({time.perf_counter() - start:.1f} s)"


def _embeddings() -> str:
    from .embed import embed

    vectors = embed(["a cat sat on the mat", "a kitten rested on the rug", "stock prices fell"], provider="local")
    if not vectors[0] @ vectors[1] > vectors[0] @ vectors[2]:
        raise RuntimeError("embeddings look wrong: similar sentences are not closer")
    return f"all-MiniLM-L6-v2, {vectors.shape[1]} dimensions"


def _tokenizers() -> str:
    from .tokens import count_tokens

    n_openai = count_tokens("Tokens are not words.", "gpt-4o")
    n_local = count_tokens("Tokens are not words.", "smollm2-135m-instruct")
    return f"tiktoken offline (gpt-4o: {n_openai} tokens), local tokenizer ({n_local} tokens)"


def _providers() -> str:
    parts = [f"AIE_PROVIDER={config.provider()}"]
    for variable in config.KEY_VARIABLES.values():
        parts.append(f"{variable} {'set' if config.get(variable) else 'not set'}")
    parts.append(f"OLLAMA_HOST={config.get('OLLAMA_HOST', 'default')}")
    return ", ".join(parts)


def _default_models() -> str:
    """Every provider's default model (and AIE_MODEL) against the registry: a retired one
    fails (its calls would fail), a deprecated one is named with its shutdown date."""
    from .registry import find_model

    chosen = dict(config.DEFAULT_MODELS)
    if config.get("AIE_MODEL"):
        chosen[f"AIE_MODEL ({config.provider()})"] = config.get("AIE_MODEL")
    retired, notes = [], []
    for who, model in chosen.items():
        info = find_model(model)
        if info is None:
            continue
        if info.status == "retired":
            retired.append(f"{who}: {model} is retired (requests fail){f' since {info.retires}' if info.retires else ''}")
        elif info.status == "deprecated":
            notes.append(f"{who}: {model} shuts down on {info.retires or 'a date to be announced'}")
    if retired:
        raise RuntimeError("; ".join(retired))
    return f"{WARNING}{'; '.join(notes)}" if notes else f"{len(chosen)} defaults, none retired or deprecated"


CHECKS: list[tuple[str, Callable[[], str], str]] = [
    ("Python", _python, "install Python 3.11 or newer"),
    ("packages", _packages, FIX_SETUP),
    ("tokenizers", _tokenizers, FIX_SETUP),
    ("local chat model", _local_chat, f"{FIX_SETUP}, or set AIE_LOCAL_MODEL to a .gguf file"),
    ("local embeddings", _embeddings, FIX_SETUP),
    ("providers", _providers, "fix AIE_PROVIDER in your environment or .env (see .env.example)"),
    ("default models", _default_models,
     "set AIE_MODEL to an active model from `aie models` (and update aie/config.py's DEFAULT_MODELS)"),
]


def run_doctor(console) -> int:
    failures = 0
    for name, check, fix in CHECKS:
        try:
            detail = check()
            if detail.startswith(WARNING):
                console.print(f"[yellow]![/yellow] {name}: {detail.removeprefix(WARNING)}")
            else:
                console.print(f"[green]✓[/green] {name}: {detail}")
        except Exception as exc:  # every failure is reported, none stops the others
            failures += 1
            console.print(f"[red]✗[/red] {name}: {config.redact(str(exc))}\n    fix: {fix}")
    console.print("[green]all good[/green]" if not failures else f"[red]{failures} problem(s)[/red]")
    return 1 if failures else 0
