"""`aie` — the course's command.

Learners: list · check LAB[.EXERCISE] · hint LAB.EXERCISE · watch [LAB] · progress · solution LAB.EXERCISE
Everyone: doctor · chat "PROMPT" · models
Instructors: grade · release
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.table import Table

from .config import REPO_ROOT
from .errors import AIEError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
err = Console(stderr=True)

STYLE = {"passed": "green", "failed": "red", "error": "red", "timeout": "red", "not_started": "yellow", "skipped": "dim"}
WORDS = {"passed": "passed", "failed": "failed", "error": "error", "timeout": "timed out",
         "not_started": "not started", "skipped": "skipped"}


def _curriculum():
    from .grading.manifest import load_curriculum

    try:
        return load_curriculum()
    except AIEError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _lab(curriculum, lab_id: str):
    try:
        return curriculum.lab(lab_id)
    except KeyError as exc:
        err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None


def _split(key: str) -> tuple[str, str]:
    if "." not in key:
        err.print(f"[red]Give LAB.EXERCISE, e.g. llm_basics.count_tokens (got {key!r}).[/red]")
        raise typer.Exit(2)
    lab_id, _, name = key.partition(".")
    return lab_id, name


@app.command("list")
def list_labs():
    """The labs and exercises, with points and your last check."""
    from .grading import state

    curriculum = _curriculum()
    checks = state.load().get("checks", {})
    table = Table(title="AI Engineer Labs")
    for col in ("#", "lab", "title", "exercises", "points", "last check"):
        table.add_column(col)
    for lab in curriculum.labs:
        check = checks.get(lab.id)
        if check:
            score = sum(t["score"] for t in check["tests"])
            maximum = sum(t["points"] for t in check["tests"])
            status = f"{score:.4g}/{maximum:.4g}"
        else:
            status = "not checked"
        table.add_row(f"{lab.number:02d}", lab.id, lab.title, ", ".join(e.name for e in lab.exercises),
                      str(lab.points), status)
    console.print(table)


def group_tests(tests: list[dict]) -> list[dict]:
    """One row per test function: its parametrized cases summed, the first failure shown."""
    groups: dict[tuple, list[dict]] = {}
    for t in tests:
        groups.setdefault((t.get("exercise") or "", t.get("function") or t["name"]), []).append(t)
    rows = []
    for (exercise, function), cases in groups.items():
        statuses = {c["status"] for c in cases}
        if statuses == {"passed"}:
            status, message = "passed", ""
        elif statuses == {"not_started"}:
            status, message = "not_started", cases[0]["message"]
        else:
            first = next(c for c in cases if c["status"] != "passed")
            status, message = first["status"], first["message"]
            if len(cases) > 1:
                case = first["name"][len(function):]
                message = f"{case}: {message}" if case else message
        passed = sum(c["status"] == "passed" for c in cases)
        result = WORDS.get(status, status)
        if len(cases) > 1 and status not in ("passed", "not_started"):
            result += f" ({passed}/{len(cases)} cases pass)"
        rows.append({"exercise": exercise, "test": function.removeprefix("test_").replace("_", " "),
                     "status": status, "result": result, "message": message,
                     "score": sum(c["score"] for c in cases), "points": sum(c["points"] for c in cases)})
    return rows


def _check(lab_id: str, target: str, timeout: int, exercise: str | None = None) -> list[dict]:
    from rich.markup import escape

    from .grading import runner, state

    curriculum = _curriculum()
    lab = _lab(curriculum, lab_id)
    if exercise is not None:
        try:
            lab.exercise(exercise)
        except KeyError as exc:
            err.print(f"[red]{escape(exc.args[0])}[/red]")
            raise typer.Exit(2) from None
    tests_file = REPO_ROOT / lab.tests
    if not tests_file.is_file():
        err.print(f"[red]{lab.tests} is missing.[/red]")
        raise typer.Exit(2)
    what = f"{lab.id}.{exercise}" if exercise else lab.id
    with console.status(f"checking {what} ({target}/{lab.id}.py)…"):
        run = runner.run_pytest([lab.tests], target=target, timeout=timeout,
                                extra=["--aie-exercise", exercise] if exercise else None)
    if not run.tests:
        err.print(f"[red]No graded test ran. pytest said:[/red]\n{escape(run.output[-3000:])}")
        raise typer.Exit(2)
    table = Table(title=f"{what}: {target}/{lab.id}.py", show_lines=False)
    for col in ("exercise", "test", "result", "points", "what to fix"):
        table.add_column(col, overflow="fold")
    for group in group_tests(run.tests):
        colour = STYLE.get(group["status"], "white")
        # Test output is plain text: escaped, so "[messages0-0]" shows and "[/" cannot break the markup.
        table.add_row(escape(group["exercise"]), escape(group["test"]),
                      f"[{colour}]{escape(group['result'])}[/{colour}]",
                      f"{group['score']:.3g}/{group['points']:.3g}", escape(group["message"]))
    console.print(table)
    score, maximum = sum(t["score"] for t in run.tests), sum(t["points"] for t in run.tests)
    console.print(f"[bold]{score:.4g}/{maximum:.4g} points[/bold] in {run.seconds:.1f} s")
    if target == "labs":
        if exercise:  # keep the lab's other exercises from the last full check
            previous = state.load().get("checks", {}).get(lab.id, {}).get("tests", [])
            state.record_check(lab.id, [t for t in previous if t.get("exercise") != exercise] + run.tests)
        else:
            state.record_check(lab.id, run.tests)
    return run.tests


@app.command()
def check(lab_id: str = typer.Argument(..., metavar="LAB[.EXERCISE]"),
          target: str = typer.Option("labs", help="labs (your work) or solutions"),
          timeout: int = typer.Option(300, help="seconds allowed per test")):
    """Run one lab's graded tests and say, in plain words, what passes and what to fix.

    `aie check llm_basics.count_tokens` re-checks that one exercise only (seconds, not the
    whole lab's model tests).
    """
    lab_id, _, exercise = lab_id.partition(".")
    tests = _check(lab_id, target, timeout, exercise or None)
    raise typer.Exit(0 if all(t["status"] == "passed" for t in tests) else 1)


@app.command()
def hint(key: str = typer.Argument(..., metavar="LAB.EXERCISE")):
    """The next hint for an exercise (each call goes one step further)."""
    from .grading import state

    lab_id, name = _split(key)
    lab = _lab(_curriculum(), lab_id)
    try:
        exercise = lab.exercise(name)
    except KeyError as exc:
        err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None
    index = min(state.next_hint(exercise.key), len(exercise.hints) - 1)
    console.print(f"[bold]Hint {index + 1}/{len(exercise.hints)} for {exercise.key}[/bold]")
    console.print(exercise.hints[index])
    if index == len(exercise.hints) - 1:
        console.print("[dim](That was the last hint.)[/dim]")


@app.command()
def watch(lab_id: str | None = typer.Argument(None, metavar="[LAB]"),
          interval: float = typer.Option(1.0, help="seconds between looks at your files")):
    """Re-check a lab every time you save its file (Ctrl-C to stop)."""
    curriculum = _curriculum()
    labs = [_lab(curriculum, lab_id)] if lab_id else list(curriculum.labs)
    mtimes = {lab.id: 0.0 for lab in labs}
    console.print(f"watching {', '.join(lab.module for lab in labs)} — save a file to re-check; Ctrl-C to stop")
    try:
        while True:
            for lab in labs:
                path = REPO_ROOT / lab.module
                mtime = path.stat().st_mtime if path.exists() else 0.0
                if mtime != mtimes[lab.id]:
                    first = mtimes[lab.id] == 0.0
                    mtimes[lab.id] = mtime
                    if not first or lab_id:
                        _check(lab.id, "labs", 300)
            time.sleep(interval)
    except KeyboardInterrupt:
        console.print("stopped")


@app.command()
def progress():
    """Your points per lab, from your last `aie check` of each."""
    from .grading import state

    curriculum = _curriculum()
    checks = state.load().get("checks", {})
    table = Table(title="Your progress")
    for col in ("lab", "", "points", "checked"):
        table.add_column(col)
    total = 0
    for lab in curriculum.labs:
        check_ = checks.get(lab.id)
        score = sum(t["score"] for t in check_["tests"]) if check_ else 0
        maximum = sum(t["points"] for t in check_["tests"]) if check_ else lab.points
        total += score
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(check_["at"])) if check_ else "never"
        table.add_row(lab.id, ProgressBar(total=max(maximum, 1), completed=score, width=30),
                      f"{score:.4g}/{maximum:.4g}", when)
    console.print(table)
    console.print(f"[bold]Total: {total:.4g}/{curriculum.points} points[/bold]")


def _function_source(path: Path, qualname: str) -> str | None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    parts = qualname.split(".")
    nodes = tree.body
    found = None
    for part in parts:
        found = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.name == part), None)
        if found is None:
            return None
        nodes = found.body
    return ast.get_source_segment(source, found)


@app.command()
def solution(key: str = typer.Argument(..., metavar="LAB.EXERCISE")):
    """The reference solution of an exercise — shown only once your own passes."""
    from .grading import state

    lab_id, name = _split(key)
    lab = _lab(_curriculum(), lab_id)
    if not (REPO_ROOT / lab.solution).is_file():
        err.print("[yellow]The reference solutions are not shipped with this class repository: your instructor "
                  f"has them. Stuck? `aie hint {key}`.[/yellow]")
        raise typer.Exit(1)
    check_ = state.load().get("checks", {}).get(lab.id)
    mine = [t for t in (check_ or {}).get("tests", []) if t.get("exercise") == name]
    if not mine or not all(t["status"] == "passed" for t in mine):
        err.print(f"[yellow]Solve it first: `aie check {lab.id}` must pass every test of {name}. "
                  f"Stuck? `aie hint {key}`.[/yellow]")
        raise typer.Exit(1)
    code = _function_source(REPO_ROOT / lab.solution, name)
    if code is None:
        err.print(f"[red]{name} not found in {lab.solution}[/red]")
        raise typer.Exit(2)
    from rich.syntax import Syntax

    console.print(Syntax(code, "python"))


@app.command()
def grade(target: str = typer.Option("labs", help="labs (submissions) or solutions"),
          submission: Path | None = typer.Option(
              None, help="a learner's folder: only its labs/<lab>.py files are graded, in this (the instructor's) "
                         "tree, each lab in a child process under hard limits"),
          hidden: Path | None = typer.Option(None, help="a folder of extra (hidden) graded tests"),
          fmt: list[str] = typer.Option(["markdown"], "--format",
                                        help="json | junit | markdown | classroom | gradescope (repeatable)"),
          out: list[Path] = typer.Option([], help="write the report here (default: stdout); one per --format"),
          lab_ids: list[str] | None = typer.Option(None, "--lab", help="grade only these labs"),
          timeout: int = typer.Option(300, help="seconds allowed per test"),
          lab_limit: int = typer.Option(1800, help="with --submission: seconds allowed per lab"),
          import_limit: int = typer.Option(120, help="with --submission: seconds to start and import a lab file"),
          memory: int = typer.Option(8192, help="with --submission: memory (MB of heap, RLIMIT_DATA) per child; 0: none"),
          threads: int = typer.Option(0, help="with --submission: threads per child for the local model (0: "
                                              "AIE_LOCAL_THREADS or every core); graders run N at a time "
                                              "should each get cores/N"),
          keyword: str | None = typer.Option(None, "-k", help="only the graded tests matching this pytest -k "
                                                              "expression")):
    """Grade every lab: points per test and per lab, in the format your platform reads.

    One run can write several reports: --format json --out grade.json --format junit --out grade.xml

    A class: `aie grade --submission STUDENT_DIR` takes nothing but the student's lab files.
    """
    from .grading import release, report, runner

    bad = [f for f in fmt if f not in report.FORMATS]
    if bad:
        err.print(f"[red]--format must be one of {', '.join(report.FORMATS)} (got {', '.join(bad)})[/red]")
        raise typer.Exit(2)
    if out and len(out) != len(fmt) or not out and len(fmt) > 1:
        err.print("[red]give one --out per --format (or a single --format to print to stdout)[/red]")
        raise typer.Exit(2)
    for name, value in (("--timeout", timeout), ("--lab-limit", lab_limit), ("--import-limit", import_limit)):
        if value <= 0:
            err.print(f"[red]{name} must be a positive number of seconds (got {value})[/red]")
            raise typer.Exit(2)
    if memory < 0:
        err.print(f"[red]--memory must be a number of megabytes, or 0 for no limit (got {memory})[/red]")
        raise typer.Exit(2)
    if threads < 0:
        err.print(f"[red]--threads must be a number of threads, or 0 for the default (got {threads})[/red]")
        raise typer.Exit(2)
    curriculum = _curriculum()
    labs = [_lab(curriculum, lab_id) for lab_id in lab_ids] if lab_ids else list(curriculum.labs)
    paths = [lab.tests for lab in labs if (REPO_ROOT / lab.tests).is_file()]
    if hidden is not None:
        if not hidden.is_dir():
            err.print(f"[red]--hidden {hidden} is not a folder[/red]")
            raise typer.Exit(2)
        paths.append(str(hidden.resolve()))
    recorded = release.load_manifest().get("tests", {})
    actual = release.tests_checksums()
    tampered = sorted(p for p in set(recorded) | set(actual) if recorded.get(p) != actual.get(p))
    if tampered:
        err.print(f"[yellow]Warning: graded tests differ from the released ones: {', '.join(tampered)}[/yellow]")
    if submission is not None:
        from .grading import submission as sub

        if target != "labs":
            err.print("[red]--submission grades the submitted labs/ files: leave --target out[/red]")
            raise typer.Exit(2)
        err.print(f"grading {len(labs)} lab(s) of {submission} (only its labs/ files) …")
        limits = sub.Limits(test=timeout, lab=lab_limit, import_=import_limit, memory_mb=memory or None,
                            threads=threads or None)
        try:
            graded = sub.grade_submission(submission, labs, limits=limits, hidden=hidden, keyword=keyword)
        except sub.SubmissionError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        tests, seconds, extra = graded.tests, graded.seconds, sub.summary(graded)
    else:
        err.print(f"grading {len(paths)} test file(s) against {target}/ …")
        run = runner.run_pytest(paths, target=target, timeout=timeout, extra=["-k", keyword] if keyword else None)
        tests, seconds, extra = run.tests, run.seconds, None
        for t in tests:
            t["hidden"] = hidden is not None and not t["nodeid"].startswith("tests/")
    if not tests:
        err.print("[red]No graded test ran.[/red]" + ("" if submission else f" pytest said:\n{run.output[-3000:]}"))
        raise typer.Exit(2)
    result = report.build(tests, curriculum, target=target, seconds=seconds, tampered=tampered,
                          hidden=str(hidden) if hidden else None, submission=extra)
    if not out:
        sys.stdout.write(report.FORMATS[fmt[0]](result))
        return
    for f, path in zip(fmt, out):
        path.write_text(report.FORMATS[f](result))
    err.print(f"{result['total']:g}/{result['max']:g} points; report(s) written to {', '.join(map(str, out))}")


@app.command("release")
def release_cmd(lab_ids: list[str] | None = typer.Argument(None, metavar="[LAB]..."),
                check_only: bool = typer.Option(False, "--check", help="only say whether labs/ is stale"),
                force: bool = typer.Option(False, "--force", help="overwrite labs files a learner has edited"),
                class_out: Path | None = typer.Option(
                    None, "--class", help="write the repository students receive to this new folder: stubs, "
                                          "visible tests, notebooks, runtime, datasets; no solutions, no hidden tests")):
    """Write labs/ from solutions/ (stubs with TODOs). Never overwrites your edits unless --force."""
    from .grading.release import ReleaseError, release, release_class

    if class_out is not None:
        try:
            files = release_class(class_out)
        except (ReleaseError, AIEError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        console.print(f"wrote the class repository to {class_out}: {len(files)} files, no solutions/")
        return
    try:
        result = release(check=check_only, force=force, labs=lab_ids or None)
    except (ReleaseError, AIEError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if check_only:
        if result.stale:
            err.print(f"[red]labs/ is stale: {', '.join(result.stale)}. Run `aie release` and commit.[/red]")
            raise typer.Exit(1)
        console.print(f"labs/ is up to date ({len(result.unchanged)} files)")
        return
    for path in result.written:
        console.print(f"[green]wrote[/green] {path}")
    for path in result.kept:
        console.print(f"[yellow]kept[/yellow] {path}: it has your edits (use --force to overwrite them)")
    if result.unchanged:
        console.print(f"{len(result.unchanged)} file(s) already up to date")


@app.command()
def doctor():
    """Check this machine: Python, packages, the local models, tokenizers, providers."""
    from .doctor import run_doctor

    raise typer.Exit(run_doctor(console))


@app.command("chat")
def chat_cmd(prompt: str = typer.Argument(..., help="what to ask"),
             system: str | None = typer.Option(None, help="a system prompt"),
             provider: str | None = typer.Option(None, help="override AIE_PROVIDER"),
             model: str | None = typer.Option(None, help="override AIE_MODEL"),
             max_tokens: int = typer.Option(256), temperature: float = typer.Option(0.0)):
    """Ask the configured model, streaming the answer."""
    from .llm import chat

    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    try:
        stream = chat(messages, provider=provider, model=model, max_tokens=max_tokens, temperature=temperature,
                      stream=True)
        for chunk in stream:
            console.out(chunk, end="", highlight=False)
        c = stream.completion
    except AIEError as exc:
        err.print(f"\n[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.out("")
    err.print(f"[dim]{c.provider}/{c.model} · {c.usage.prompt_tokens}+{c.usage.completion_tokens} tokens · "
              f"${c.cost:.6f} · {c.latency:.2f} s · finish: {c.finish_reason}[/dim]")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="the address to listen on (loopback by default)"),
          port: int = typer.Option(8000, help="the port")):
    """Lab 10's web app: ask the handbook, answers streamed with citations (AIE_TARGET picks the lab)."""
    from .serve import serve as run

    console.print(f"handbook assistant on http://{host}:{port}/ (Ctrl+C stops it)")
    run(host, port)


@app.command()
def models(stale: bool = typer.Option(False, "--stale",
                                      help="only the entries whose prices were read more than 180 days ago")):
    """The model registry (aie/models.toml): context windows, prices, cut-offs, status."""
    from .registry import STALE_AFTER_DAYS, all_models, stale_models

    entries = stale_models() if stale else list(all_models().values())
    if stale and not entries:
        console.print(f"no entry is older than {STALE_AFTER_DAYS} days")
        return
    title = f"aie/models.toml: read more than {STALE_AFTER_DAYS} days ago" if stale else "aie/models.toml"
    table = Table(title=title)
    for col in ("model", "provider", "kind", "context", "max out", "$/1M in", "$/1M out", "cut-off", "status",
                "read on"):
        table.add_column(col)
    for m in entries:
        status = f"{m.status} {m.retires}" if m.retires else m.status
        model = f"{m.id} *" if m.reasoning else m.id
        table.add_row(model, m.provider, m.kind, f"{m.context_window:,}", f"{m.max_output:,}",
                      f"{m.input_per_1m:.2f}", f"{m.output_per_1m:.2f}", m.cutoff, status, m.price_date)
    console.print(table)
    console.print("* reasoning model: its hidden reasoning tokens are billed as output, at the $/1M out price.")
    if stale:
        console.print("Re-read each entry's `source` page and update aie/models.toml (prices, status, price_date).")
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
