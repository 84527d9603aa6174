#!/usr/bin/env bash
# Runs the coqui backend's tests in their own virtual environment (.venv-coqui):
# coqui-tts needs torch 2.9.1 with torchaudio 2.9 (a ~7 GB CUDA build), which cannot share
# .venv's CPU torch 2.13.0. See ../shared/OFFLINE_MODELS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv-coqui/bin/python ] || "$PYTHON" -m venv .venv-coqui
PIP=".venv-coqui/bin/pip"
$PIP install -q torch==2.9.1
# torchcodec: torchaudio 2.9 loads audio through it; six: imported by coqui-tts, not declared
$PIP install -q torch==2.9.1 'torchaudio==2.9.*' 'torchcodec>=0.8,<0.10' 'coqui-tts>=0.27' six
$PIP install -q -e '.[test]' torch==2.9.1
# speaker embeddings for the multi-speaker test; resemblyzer's webrtcvad comes as a wheel
$PIP install -q --no-deps 'resemblyzer>=0.1.4' && $PIP install -q 'webrtcvad-wheels>=2.0' librosa
.venv-coqui/bin/python -m pytest -q tests/speech/test_tts_coqui.py "$@"
