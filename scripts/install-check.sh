#!/usr/bin/env bash
# The install path the README recommends, taken as a user takes it: `npm pack` makes the tarball,
# `npm install -g` puts it into a fresh prefix, and the `atlantis-run` command on that prefix works
# from a directory outside the clone — --help, init (its $schema line names a file that exists),
# render, and a deploy to the bundled emulator, twice (the second changes nothing), then status.
# Needs the npm registry (the tarball's dependencies); `.ci/run` runs it on every supported Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/stderr.log"
fail() { cat "$log" >&2 2>/dev/null || true; echo "install-check: $*" >&2; exit 1; }

npm pack --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/atlantis-run-*.tgz)
npm install --global --prefix "$work/prefix" --no-audit --no-fund "$tarball" >/dev/null
export PATH="$work/prefix/bin:$PATH"
[ "$(command -v atlantis-run)" = "$work/prefix/bin/atlantis-run" ] || fail "atlantis-run is not the installed command"

mkdir "$work/infra" && cd "$work/infra"
atlantis-run --version
atlantis-run --help 2>>"$log" | grep -q '^Usage: atlantis-run' || fail '--help'
atlantis-run init --non-interactive --project install-check --region europe-west1 \
  --vcs github --vcs-user atlantis-bot --repo-allowlist 'github.com/acme/*' >/dev/null 2>>"$log" || fail 'init'
schema=$(sed -n '1s/^# yaml-language-server: \$schema=//p' atlantis-run.yaml)
[ -f "$schema" ] || fail "the \$schema line names $schema, which does not exist"
atlantis-run render 2>>"$log" | grep -q '^# Cloud Run service' || fail 'render'
export GITHUB_TOKEN=ghp_installcheck00000000000000000000000000
atlantis-run deploy --emulator -y 2>>"$log" | grep -q '^Rehearsal in the local emulator done' || fail 'deploy --emulator'
atlantis-run deploy --emulator -y --json 2>>"$log" | tail -1 | grep -q '"changes":0' || fail 'a second deploy changed something'
atlantis-run status --emulator 2>>"$log" | grep -q ' — ready$' || fail 'status'
echo "install-check: $(basename "$tarball") installed into a fresh prefix works from $(pwd) on Node.js $(node --version)"
