#!/usr/bin/env bash
# Build a Gradescope autograder zip for one or more labs, from the instructor's checkout.
# Usage: docs/gradescope/make_zip.sh OUT.zip LAB [LAB...]   (HIDDEN=path/to/hidden-tests optional)
# Upload OUT.zip as the assignment's autograder ("Zip file upload").
set -euo pipefail
out=$(realpath -m "$1"); shift
[ $# -ge 1 ] || { echo "usage: $0 OUT.zip LAB [LAB...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
# The course as students receive it (no solutions/): the grading tree.
"$root/.venv/bin/aie" release --class "$stage/course"
if [ -n "${HIDDEN:-}" ]; then cp -r "$HIDDEN" "$stage/hidden"; fi
cp "$here/setup.sh" "$here/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
printf 'LABS="%s"\nTEST_LIMIT=300\nLAB_LIMIT=1800\n' "$*" > "$stage/autograder.env"
rm -f "$out"
(cd "$stage" && zip -qr "$out" .)
echo "wrote $out ($(du -h "$out" | cut -f1)): labs $*${HIDDEN:+, hidden tests from $HIDDEN}"
