#!/usr/bin/env bash
# The GitHub Action's scan step (see action.yml): one scan writes workflow annotations to the log, a
# Markdown summary to $GITHUB_STEP_SUMMARY, a SARIF file for code scanning and any extra reports, and its
# exit code gates the merge (0 clean, 1 findings at or above fail-on, 2 usage or config error, 3 internal
# error; 126/127 nhilint not runnable).
#
# When the scan itself fails (any exit code other than 0 and 1) the step still leaves what the next steps
# expect: an `::error` annotation with nhilint's message, a job summary saying so, and a valid SARIF 2.1.0
# file with no results, so that `upload-sarif` with `if: always()` does not break; the exit code stays.
set -uo pipefail

# A list input: one item per line when it holds a newline (so an item may contain spaces), else split at
# whitespace (the single-line form). Items are trimmed; empty lines are skipped. No glob expansion.
split_list() {
  local -n into=$1
  local text=$2 item
  into=()
  if [[ $text == *$'\n'* ]]; then
    while IFS= read -r item || [ -n "$item" ]; do
      item="${item#"${item%%[![:space:]]*}"}"
      item="${item%"${item##*[![:space:]]}"}"
      [ -n "$item" ] && into+=("$item")
    done <<< "$text"
  else
    read -r -a into <<< "$text"
  fi
}

# GitHub's escaping for the data of a workflow command.
escape_data() {
  local text=${1//'%'/%25}
  text=${text//$'\r'/%0D}
  printf '%s' "${text//$'\n'/%0A}"
}

empty_sarif() {
  local file=$1
  mkdir -p -- "$(dirname -- "$file")" 2>/dev/null
  cat > "$file" <<'EOF' || echo "nhilint action: cannot write $file" >&2
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {"driver": {"name": "nhilint", "informationUri": "https://github.com/nhilint/nhilint", "rules": []}},
      "results": []
    }
  ]
}
EOF
}

args=(scan --format github)
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "$INPUT_POLICY")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_NEW_ONLY_BASE:-}" ] && args+=(--new-only --base "$INPUT_NEW_ONLY_BASE")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_SARIF_FILE:-}" ] && args+=(--report "sarif:$INPUT_SARIF_FILE")
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && args+=(--report "markdown:$GITHUB_STEP_SUMMARY")
split_list reports "${INPUT_FORMATS:-}"
for report in "${reports[@]}"; do
  args+=(--report "$report")
done
read -r -d '' -a extra <<< "${INPUT_ARGS:-}"  # options: split at any whitespace, over every line
split_list paths "${INPUT_PATHS:-.}"
[ ${#paths[@]} -eq 0 ] && paths=(.)

errors=$(mktemp)
trap 'rm -f -- "$errors"' EXIT
nhilint "${args[@]}" "${extra[@]}" -- "${paths[@]}" 2> "$errors"
code=$?
cat -- "$errors" >&2
if [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; then
  exit "$code"
fi

case $code in
  2) what="usage or configuration error" ;;
  3) what="internal error" ;;
  126 | 127) what="nhilint could not be run (is it installed?)" ;;
  *) what="exit code $code" ;;
esac
# click's message starts at "Error: " and may list several problems, one a line; else nhilint's last line.
reason=$(awk '/^Error: /{text = ""; found = 1} found {text = text $0 "\n"} END {printf "%s", text}' "$errors")
[ -n "$reason" ] || reason=$(grep -v '^[[:space:]]*$' -- "$errors" | tail -n 1)
reason=${reason%$'\n'}
message="nhilint did not complete the scan ($what)${reason:+: $reason}"
echo "::error title=nhilint scan failed::$(escape_data "$message")"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    printf '## nhilint\n\n**The scan did not complete** (exit code %s, %s); no findings were reported.\n\n' \
      "$code" "$what"
    [ -n "$reason" ] && printf '```\n%s\n```\n' "$reason"
  } >> "$GITHUB_STEP_SUMMARY"
fi
[ -n "${INPUT_SARIF_FILE:-}" ] && empty_sarif "$INPUT_SARIF_FILE"
exit "$code"
