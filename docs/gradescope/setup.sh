#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# The zip (made by make_zip.sh) holds: setup.sh, run_autograder, autograder.env,
# course/ (the course at one commit, without solutions) and hidden/ (optional hidden tests).
# Pick a base image with Python 3.11 or newer (Gradescope's Ubuntu 24.04 image has 3.12).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  python3 python3-venv python3-dev build-essential cmake git make >/dev/null
cd /autograder/source/course
make setup            # the pinned environment, llama.cpp compiled once, the local models
.venv/bin/aie doctor  # fails the build now rather than every submission later
