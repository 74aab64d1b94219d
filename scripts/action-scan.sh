#!/usr/bin/env bash
# The GitHub Action's scan step (see action.yml): one scan writes workflow annotations to the log, a
# Markdown summary to $GITHUB_STEP_SUMMARY, a SARIF file for code scanning and any extra reports, and its
# exit code gates the merge (0 clean, 1 findings at or above fail-on, 2 usage or config error).
set -uo pipefail

args=(scan --format github)
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "$INPUT_POLICY")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_NEW_ONLY_BASE:-}" ] && args+=(--new-only --base "$INPUT_NEW_ONLY_BASE")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_SARIF_FILE:-}" ] && args+=(--report "sarif:$INPUT_SARIF_FILE")
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && args+=(--report "markdown:$GITHUB_STEP_SUMMARY")
for report in ${INPUT_FORMATS:-}; do
  args+=(--report "$report")
done
read -r -a extra <<< "${INPUT_ARGS:-}"
read -r -a paths <<< "${INPUT_PATHS:-.}"

nhilint "${args[@]}" "${extra[@]}" -- "${paths[@]}"
