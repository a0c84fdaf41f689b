#!/usr/bin/env bash
# Build the desktop bundle (a PyInstaller one-folder app) and check that it starts.
#
#   bash packaging/build_bundle.sh
#
# 1. makes (or reuses) a build venv in packaging/build/venv and installs the app's
#    dependencies and PyInstaller there (PyInstaller is a packaging tool, never a runtime
#    dependency);
# 2. runs PyInstaller on packaging/massage-trainer.spec -> packaging/dist/massage-trainer/;
# 3. runs the bundle's --smoke-test offscreen with a throwaway data folder;
# 4. prints the bundle's size.
# PYTHON picks the interpreter for the build venv (default: python3, 3.11 or newer).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=packaging/build/venv
work=packaging/build/work
dist=packaging/dist
bundle=$dist/massage-trainer
export PIP_DISABLE_PIP_VERSION_CHECK=1

started=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
  echo "== making the build venv ($venv)"
  "$python" -m venv "$venv"
fi
echo "== installing the app's dependencies and PyInstaller"
# The app itself is analysed from this source tree (see the spec); installing it here
# brings exactly the dependencies pyproject.toml declares.
"$venv/bin/pip" install -q . "pyinstaller>=6.10,<7"

echo "== building $bundle"
rm -rf "$bundle"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/massage-trainer.spec

echo "== every library in the bundle finds what it links to"
# The spec drops Qt plugins the app does not use; this proves nothing left behind needs
# what was dropped. Allowed to be missing: system libraries of desktop integrations that
# Qt loads only where the system has them (speech-dispatcher, the GTK theme, and the
# Wayland client libraries every Wayland desktop has; this build machine may not).
optional='libspeechd\.so|libgtk-3\.so|libgdk-3\.so|libwayland-[a-z]+\.so'
lib_path="$bundle/_internal:$bundle/_internal/PySide6/Qt/lib"
missing=$(find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -name massage-trainer \) \
  -exec sh -c 'for f; do LD_LIBRARY_PATH="$0" ldd "$f" 2>/dev/null | sed "s|^|$f: |"; done' \
  "$lib_path" {} + | grep 'not found' | grep -Ev "$optional" || true)
if [ -n "$missing" ]; then
  echo "$missing"
  echo "build_bundle.sh: the bundle lacks libraries (see above)" >&2
  exit 1
fi
echo "ok"

echo "== smoke test of the bundle (offscreen)"
data_dir=$(mktemp -d)
trap 'rm -rf "$data_dir"' EXIT
QT_QPA_PLATFORM=offscreen MASSAGE_TRAINER_DATA_DIR="$data_dir" "$bundle/massage-trainer" --smoke-test
"$bundle/massage-trainer" --version

size_kib=$(du -sk "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
packed_kib=$(( $(tar -C "$dist" -czf - massage-trainer | wc -c) / 1024 ))
echo "== bundle: $bundle, $((size_kib / 1024)) MiB in $files files" \
  "($((packed_kib / 1024)) MiB as a .tar.gz); built in $(($(date +%s) - started)) s"
