#!/usr/bin/env bash
# `npm run image:test`: builds the OCI image (.deploy/Containerfile) and runs it as the Indexed Job of
# .deploy/k8s/municipalities-job.yaml would: N containers started the way the Job starts pods (its args, one
# JOB_COMPLETION_INDEX each, the read-only image, one shared output volume, no network), then the merge Job's command;
# checks that the merged round equals one unsharded run file by file, and that a container killed half-way and
# started again with the same index completes its share. Prints each step's time and the image size; exit 1 on any
# difference. Needs root (rootful podman) or podman already set up; installs podman and mmdebstrap with apt-get.
#
#   BASE=image       build from this base instead (a public debian:trixie-slim where a registry is reachable)
#   MIRROR=url       the Debian mirror of the local base (default http://deb.debian.org/debian)
#   IMAGE_TEST_AREA  the areas of the run instead of the Job's (e.g. municipalities:38000 for a quick check)
#   IMAGE_BUILD_ONLY=1  build the image and stop
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
version=$(node -p 'require("./package.json").version')
image="localhost/migration-bulletin:$version"
base_local="localhost/migration-bulletin-base:trixie"
job=.deploy/k8s/municipalities-job.yaml
work=$(mktemp -d "${TMPDIR:-/tmp}/image-test-XXXXXX")
failed=0
t0=$(date +%s.%N)
step() { # step NAME: prints the time since the last step
  local now
  now=$(date +%s.%N)
  printf '%-58s %7.1f s\n' "$1" "$(awk -v a="$t0" -v b="$now" 'BEGIN { print b - a }')"
  t0=$now
}
fail() { echo "FAIL: $*" >&2; failed=1; }
# rootful podman on these machines: runc, lowered ulimits (../shared/guide/toolchain.md, "Containers")
P=(podman)
POD=(--runtime runc --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --network=none --read-only
  --tmpfs /tmp:rw,size=512m,mode=1777 --tmpfs /cache:rw,size=256m,mode=1777 -e HOME=/tmp)
RUN=(run --rm "${POD[@]}")

# 1. podman (and mmdebstrap for a local base)
if ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman buildah mmdebstrap uidmap \
      fuse-overlayfs slirp4netns runc >/dev/null
  else
    echo "image:test needs podman and mmdebstrap (Debian: sudo apt-get install podman mmdebstrap runc)" >&2
    exit 2
  fi
fi
step "podman $(podman --version | awk '{print $3}')"

# 2. the base: BASE if given; else the local Debian base (made once with mmdebstrap from the configured mirror)
if [ -n "${BASE:-}" ]; then
  base=$BASE
elif "${P[@]}" image exists "$base_local"; then
  base=$base_local
else
  mirror=${MIRROR:-http://deb.debian.org/debian}
  # Node.js 20 is trixie's; documentation, manual pages and translations are left out (the image stays small)
  mmdebstrap --quiet --variant=minbase --include=nodejs,chromium,fonts-dejavu-core \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    trixie "$work/base.tar" "deb ${mirror%/} trixie main"
  "${P[@]}" import --quiet "$work/base.tar" "$base_local" >/dev/null
  rm -f "$work/base.tar"
  base=$base_local
fi
step "base $base"

[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null # a fresh clone: the compiler
# 3. the build context: the program as committed, compiled, with the packages it loads from node_modules at run time
# (the bundle in dist/ holds the rest), the templates, config.yml and the demonstration data with its boundaries
stage="$work/context/stage"
mkdir -p "$stage"
git archive HEAD package.json package-lock.json src/bin.js templates config.yml data | tar -x -C "$stage"
npm run --silent compile >/dev/null
cp -r dist "$stage/dist"
shp=../shared/reference/statbel-municipalities-pic/source_shapefiles
[ -f data/geo/municipalities.topo.json ] || node src/bin.js geo import "$shp/gemeente2024.shp" --geography 2024 >"$work/geo.log" 2>&1
[ -f data/geo/municipalities-2025.topo.json ] || node src/bin.js geo import "$shp/gemeente.shp" --geography 2025 >>"$work/geo.log" 2>&1
cp data/geo/*.topo.json "$stage/data/geo/"
(cd "$work" && cp "$root/package.json" "$root/package-lock.json" . &&
  npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p "$stage/node_modules/@fontsource"
for p in canvas @napi-rs highs fs-ext-extra-prebuilt @fontsource/source-sans-3; do
  cp -r "$work/node_modules/$p" "$stage/node_modules/$p"
done
rm -rf "$work/node_modules"
step "context ($(du -sh "$stage" | cut -f1))"

# 4. the image (no network: everything is in the base and the context)
"${P[@]}" build --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --network=none --quiet \
  --build-arg BASE="$base" --build-arg VERSION="$version" --build-arg REVISION="$(git rev-parse HEAD)" \
  -f .deploy/Containerfile -t "$image" "$work/context" >/dev/null
size=$("${P[@]}" image inspect "$image" --format '{{.Size}}')
step "image $image ($((size / 1000000)) MB)"

if [ -n "${IMAGE_BUILD_ONLY:-}" ]; then rm -rf "$work"; exit 0; fi

# 5. the Job as written: its image, its N, its args
read -r n job_image < <(node --input-type=module -e '
  import { readFileSync } from "node:fs"; import { parse } from "yaml";
  const j = parse(readFileSync(process.argv[1], "utf8"));
  console.log(j.spec.completions, j.spec.template.spec.containers[0].image);' "$job")
mapfile -t args < <(node --input-type=module -e '
  import { readFileSync } from "node:fs"; import { parse } from "yaml";
  for (const a of parse(readFileSync(process.argv[1], "utf8")).spec.template.spec.containers[0].args) console.log(a);' "$job")
[ "$job_image" = "$image" ] || fail "$job names the image $job_image, not $image"
if [ -n "${IMAGE_TEST_AREA:-}" ]; then
  for i in "${!args[@]}"; do [ "${args[$i]}" = "--area" ] && args[i + 1]=$IMAGE_TEST_AREA; done
fi
year=2024
for i in "${!args[@]}"; do [ "${args[$i]}" = "--year" ] && year=${args[i + 1]}; done
volume() { mkdir -p "$1" && chown 10001:10001 "$1" && echo "$1:/out"; }

# 6. N containers, one share each, side by side on one volume; then the merge Job's command
sharded=$(volume "$work/sharded")
pids=()
for ((i = 0; i < n; i++)); do
  "${P[@]}" "${RUN[@]}" -v "$sharded" -e JOB_COMPLETION_INDEX=$i "$image" "${args[@]}" >"$work/shard-$i.log" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do wait "${pids[$i]}" || fail "share $i exited $? ($(tail -1 "$work/shard-$i.log"))"; done
step "$n shares ($((n)) containers, ${args[*]})"
merge_args=$(node --input-type=module -e '
  import { readFileSync } from "node:fs"; import { parse } from "yaml";
  console.log(parse(readFileSync(".deploy/k8s/merge-job.yaml", "utf8")).spec.template.spec.containers[0].args.join(" "));')
# shellcheck disable=SC2086
"${P[@]}" "${RUN[@]}" -v "$sharded" "$image" $merge_args >"$work/merge.log" 2>&1 || fail "merge: $(tail -1 "$work/merge.log")"
step "merge ($merge_args)"

# 7. one unsharded run of the same command
single=$(volume "$work/single")
unsharded=()
skip=0
for a in "${args[@]}"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  if [ "$a" = "--shards" ]; then skip=1; continue; fi
  unsharded+=("$a")
done
"${P[@]}" "${RUN[@]}" -v "$single" "$image" "${unsharded[@]}" >"$work/single.log" 2>&1 || fail "unsharded: $(tail -1 "$work/single.log")"
step "one unsharded run"

# 8. file by file: every edition's files, the index pages and the merged manifest's editions
compare() { # compare A B: the files of two rounds, the manifests aside (a share's own are not in the other)
  diff -r -q -x 'manifest*.json' -x '.build.lock' "$1/$year" "$2/$year"
}
compare "$work/sharded" "$work/single" || fail "the merged round differs from the unsharded run"
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const eds = (f) => JSON.parse(readFileSync(f, "utf8")).editions.map((e) => [e.area, e.status, e.files, e.inputHash]);
  const [a, b] = process.argv.slice(1).map(eds);
  if (JSON.stringify(a) !== JSON.stringify(b)) { console.error("the manifests list other editions"); process.exit(1); }
  console.log(`${a.length} areas, ${a.reduce((n, e) => n + e[2].length, 0)} files alike`);' \
  "$work/sharded/$year/municipalities/manifest.json" "$work/single/$year/municipalities/manifest.json" ||
  fail "manifests differ"
step "compared"

# 9. a container killed half-way and started again with the same index: it completes its share (--resume)
killed=$(volume "$work/killed")
shard_manifest="$work/killed/$year/municipalities/manifest.shard-1-of-$n.json"
"${P[@]}" run "${POD[@]}" -d --name image-test-kill-$$ -v "$killed" -e JOB_COMPLETION_INDEX=0 "$image" "${args[@]}" >/dev/null
total=$(node -e 'const m=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(m.editions.length)' \
  "$work/sharded/$year/municipalities/manifest.shard-1-of-$n.json")
for _ in $(seq 1 600); do
  done_=$(node -e 'try{const m=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(m.editions.length)}catch{console.log(0)}' "$shard_manifest")
  [ "$done_" -ge $((total / 2)) ] && break
  sleep 0.5
done
"${P[@]}" kill -s KILL image-test-kill-$$ >/dev/null 2>&1 || true
"${P[@]}" rm -f image-test-kill-$$ >/dev/null 2>&1 || true
step "killed share 1 after $done_ of $total areas"
"${P[@]}" "${RUN[@]}" -v "$killed" -e JOB_COMPLETION_INDEX=0 "$image" "${args[@]}" >"$work/resumed.log" 2>&1 ||
  fail "resumed share: $(tail -1 "$work/resumed.log")"
grep -q "unchanged (--resume)" "$work/resumed.log" || fail "the resumed share rebuilt everything"
for f in "$work/sharded/$year/municipalities"/*/; do
  a=$(basename "$f")
  [ -d "$work/killed/$year/municipalities/$a" ] || continue
  diff -r -q "$f" "$work/killed/$year/municipalities/$a" >/dev/null || fail "area $a differs after the resume"
done
step "resumed: $(grep -oE '[0-9]+ areas built, [0-9]+ unchanged' "$work/resumed.log" || echo '?')"

echo "image $image: $((size / 1000000)) MB"
if [ $failed = 0 ]; then
  rm -rf "$work"
  echo "image:test passed"
else
  echo "image:test failed (logs in $work)"
fi
exit $failed
