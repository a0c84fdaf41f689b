#!/usr/bin/env bash
# Regenerate the README's screenshots (docs/screenshots/) offscreen, with the app's own
# --screenshot option and the handout command. Run from the repository root after
# installing the app (see README). pdftoppm (poppler-utils) renders the handout page.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${APP:-.venv/bin/massage-trainer}
out=docs/screenshots
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen
# A scratch data folder, so the screenshots never show (or change) anyone's history.
MASSAGE_TRAINER_DATA_DIR=$(mktemp -d)
export MASSAGE_TRAINER_DATA_DIR
trap 'rm -rf "$MASSAGE_TRAINER_DATA_DIR"' EXIT

"$app" --screenshot "$out/session.png" --routine beginner-20 --step 1
"$app" --screenshot "$out/session-step.png" --routine classic-full-back --step 4
"$app" handout beginner-20 -o "$MASSAGE_TRAINER_DATA_DIR/handout.pdf"
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$MASSAGE_TRAINER_DATA_DIR/handout.pdf" "$out/handout"
ls -l "$out"
