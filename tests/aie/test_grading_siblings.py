"""`aie grade --submission`: a lab that builds on an earlier one is graded on its own code.

Only the graded lab's reference (`solutions.<lab>`) is refused in the child; the earlier
labs' references are what a later lab runs on (agents on rag, safety on rag and agents, the
capstone on rag and safety), and the learner's copy of an earlier lab is not taken, so a
mistake in lab 05 costs points in lab 05 alone. Real child processes, on the real grader.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from aie.config import REPO_ROOT
from aie.grading import submission as sub

pytestmark = pytest.mark.slow


def child(tmp_path, lab_id: str, body: str) -> dict:
    """Run `body` as the submitted labs/<lab_id>.py's import in an armed sandbox; its result."""
    folder = tmp_path / "labs"
    folder.mkdir(parents=True)
    (folder / f"{lab_id}.py").write_text(body)
    code = textwrap.dedent(f"""
        import json, os, sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from aie.grading import sandbox
        r, w = os.pipe()
        protect = [str(p) for p in {[str(p) for p in sub.reference_files(REPO_ROOT, lab_id)]!r}]
        sandbox.setup(w, {lab_id!r}, {str(folder / (lab_id + ".py"))!r}, protect)
        try:
            module = sandbox.load()
            print(json.dumps({{"ok": True, "result": getattr(module, "RESULT", None)}}))
        except BaseException as exc:
            print(json.dumps({{"ok": False, "error": f"{{type(exc).__name__}}: {{exc}}"}}))
    """)
    proc = subprocess.run([sys.executable, "-I", "-B", "-c", code], capture_output=True, text=True, timeout=120)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_graded_labs_own_reference_is_refused(tmp_path):
    got = child(tmp_path, "agents", "from solutions.agents import calculator\n")
    assert not got["ok"] and "solutions.agents" in got["error"], got


def test_reading_the_graded_labs_reference_file_is_refused(tmp_path):
    path = REPO_ROOT / "solutions" / "agents.py"
    got = child(tmp_path, "agents", f"RESULT = open({str(path)!r}).read()[:10]\n")
    assert not got["ok"] and "refused" in got["error"], got


def test_an_earlier_labs_reference_is_there_for_a_later_lab(tmp_path):
    got = child(tmp_path, "agents", "import solutions.rag as rag\nRESULT = rag.__name__\n")
    assert got == {"ok": True, "result": "solutions.rag"}, got


def test_the_other_labs_are_refused_their_own_reference_too(tmp_path):
    got = child(tmp_path, "rag", "import solutions.safety as s\nRESULT = s._reference('rag').__name__\n")
    assert not got["ok"] and "solutions/rag.py" in got["error"], \
        "grading rag, solutions.safety may load but its way to solutions.rag is refused"


def test_only_the_graded_labs_file_is_taken(tmp_path):
    """A learner's labs/rag.py beside a complete labs/agents.py is not copied when agents is
    graded: search_handbook runs on the course's reference retriever, and scores."""
    subm = tmp_path / "student"
    (subm / "labs").mkdir(parents=True)
    (subm / "labs" / "rag.py").write_text("import os\nos._exit(3)  # a broken lab 05\n")
    (subm / "labs" / "agents.py").write_text((REPO_ROOT / "solutions" / "agents.py").read_text())
    from aie.grading.manifest import load_curriculum

    labs = [lab for lab in load_curriculum(REPO_ROOT / "curriculum.toml").labs if lab.id == "agents"]
    graded = sub.grade_submission(subm, labs, keyword="test_search_returns or test_search_finds")
    outcome = graded.labs[0]
    assert outcome.imported and not outcome.reason and outcome.restarts == 0, outcome
    assert len(graded.tests) >= 2 and all(t["status"] == "passed" for t in graded.tests), \
        [(t["nodeid"], t["status"], t.get("message")) for t in graded.tests]


def test_the_course_tools_may_be_started_and_nothing_else(tmp_path):
    """Lab 09's lesson starts espeak-ng; a shell from the learner's code is still refused."""
    got = child(tmp_path, "multimodal", "import subprocess\n"
                "RESULT = subprocess.run(['espeak-ng', '--version'], capture_output=True).returncode\n")
    assert got == {"ok": True, "result": 0}, got
    got = child(tmp_path / "b", "multimodal", "import subprocess\nsubprocess.run(['sh', '-c', 'true'])\n")
    assert not got["ok"] and "starting a process" in got["error"], got


@pytest.mark.parametrize("argv,allowed", [
    (["espeak-ng", "-w", "out.wav", "hi"], True),
    (["/usr/bin/tesseract", "img.png", "-"], True),
    (["node", str(REPO_ROOT / "node" / "embed.mjs"), "x"], True),
    (["node", "-e", "require('fs').readFileSync('tests')"], False),
    (["node", "/tmp/elsewhere.mjs"], False),
    (["python3", "-c", "print(1)"], False),
    (["sh", "-c", "espeak-ng hi"], False),
])
def test_which_programs_count_as_the_course_tools(argv, allowed):
    from aie.grading import sandbox

    assert sandbox._course_tool((None, argv, None, None)) is allowed


@pytest.mark.parametrize("line", ["from aie.handbook import Reference", "import aie.handbook",
                                  "from aie import handbook"])
def test_the_scan_flags_the_reference_retriever_in_a_learners_file(line):
    """aie.handbook is the tests' set-up for lab 05 (its searches, done): a learner's lab 05
    that calls it is shown to the instructor."""
    from aie.grading.scan import scan_source

    assert [f["kind"] for f in scan_source(line + "\n")] == [
        "imports the course's reference retriever (lab 05's searches, done)"]


def test_the_memory_limit_counts_memory_used_not_address_space_reserved():
    """node (lab 08's Transformers.js) and torch reserve far more address space than they
    use: a reservation of 16 GB passes under a 512 MB limit, an allocation of 1 GB does not."""
    code = textwrap.dedent("""
        import mmap
        reserved = mmap.mmap(-1, 16 * 1024 ** 3, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=0)  # PROT_NONE
        print("reserved")
        try:
            block = bytearray(1024 ** 3)
            print("allocated")
        except MemoryError:
            print("refused")
    """)
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60,
                          preexec_fn=sub._limit_memory(512))
    assert proc.stdout.split() == ["reserved", "refused"], (proc.stdout, proc.stderr[-500:])
