#!/usr/bin/env bash
# Usage: release.sh X.Y.Z [--push]
# Checks that X.Y.Z is package.json's version and has a CHANGELOG entry, that the work tree is clean
# and dist/ is what `npm run bundle` builds, then creates tag vX.Y.Z and moves the major tag vX.
set -euo pipefail
cd "$(dirname "$0")/../.."

version="${1:-}"
push="${2:-}"
fail() { echo "release: $*" >&2; exit 1; }

[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "give the version as X.Y.Z (got '${version}')"
package_version=$(node -p "require('./package.json').version")
[ "$version" = "$package_version" ] || fail "package.json says ${package_version}, not ${version}"
grep -q "^## \[${version}\]" CHANGELOG.md || fail "CHANGELOG.md has no '## [${version}]' section"
[ -z "$(git status --porcelain)" ] || fail "the work tree is not clean"
npm run -s bundle >/dev/null
[ -z "$(git status --porcelain -- dist)" ] || fail "dist/ is out of date: run 'npm run bundle' and commit it"
git rev-parse -q --verify "refs/tags/v${version}" >/dev/null && fail "tag v${version} exists already"

major="v${version%%.*}"
git tag -a "v${version}" -m "v${version}"
git tag -fa "${major}" -m "${major} (v${version})"
echo "Tagged v${version} and moved ${major} to $(git rev-parse --short HEAD)."
if [ "$push" = "--push" ]; then
  git push origin "v${version}"
  git push --force origin "${major}"
fi
