#!/usr/bin/env bash
# Installs duplexsynth and everything its offline default stack and its tests need
# into .venv in the repository. Safe to run again (it only adds what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=".venv/bin/pip"
# torch first, as the CPU build: silero-vad, resemblyzer and openai-whisper depend on torch
# and would otherwise pull a multi-GB CUDA build. Every later install pins it again.
$PIP install -q torch==2.13.0
# llama.cpp as a portable AVX2 build. llama-cpp-python builds with -march=native by default,
# and on a virtual machine whose CPU reports AMX that the kernel does not enable, the first
# matrix multiply dies with SIGILL (tilezero in libggml-cpu). --no-cache-dir: pip's wheel
# cache would hand back an earlier native build; the marker replaces one in an older .venv.
if [ ! -f .venv/.llama-cpp-portable ]; then
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
    $PIP install -q --no-cache-dir --force-reinstall --no-deps 'llama-cpp-python>=0.3'
  touch .venv/.llama-cpp-portable
fi
$PIP install -q -e '.[all,test]' torch==2.13.0
# The report test drives headless Chromium (Debian's package); skipped when it cannot be installed.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "setup: chromium not installed; the report browser test will be skipped" >&2
fi
.venv/bin/python -c "import duplexsynth, duplexsynth.backends; print('setup: duplexsynth', duplexsynth.__name__, 'ready')"
