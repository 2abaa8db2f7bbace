#!/usr/bin/env bash
# Out of core: load and scan a scale-250 county (about 5 million people, 18 million input
# rows) rule by rule, each step in its own process, printing wall time and peak memory.
#
# Run:  bash bench/province.sh [SCALE] [WORK]      (defaults: 250 and ./bench-province)
#
# The engine's memory limit and spill folder are set as a province's analyst would set
# them on a 24 GB machine (UMBRELLA_ENGINE_MEMORY, UMBRELLA_ENGINE_TEMP); the folder is
# loaded file by file (it is larger than UMBRELLA_CHUNK_BYTES). Needs about 10 GB of disk
# for the database plus the generated folder (1.2 GB) and the spill folder.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-250}
WORK=${2:-bench-province}
PY=${PY:-.venv/bin/python}
mkdir -p "$WORK/spill"
umbrella() { "$PY" -c "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; main()" "$@"; }
step() {
    local name=$1; shift
    local start=$SECONDS
    /usr/bin/time -f "%M" -o "$WORK/$name.rss" "$@" > "$WORK/$name.log" 2>&1
    printf '%-10s %8d s %8.1f GB\n' "$name" $((SECONDS - start)) \
        "$(awk '{print $1 / 1048576}' "$WORK/$name.rss")"
}
export -f umbrella
export PY
if [ ! -d "$WORK/county" ]; then
    step generate bash -c "umbrella generate '$WORK/county' --scale $SCALE --seed 2"
fi
rm -f "$WORK/county.db" "$WORK/county.db-wal" "$WORK/county.db-shm"
step load bash -c "umbrella load '$WORK/county' --db '$WORK/county.db'"
export UMBRELLA_ENGINE_MEMORY=${UMBRELLA_ENGINE_MEMORY:-8GB}
export UMBRELLA_ENGINE_TEMP=${UMBRELLA_ENGINE_TEMP:-$WORK/spill}
for rule in COI-001 COI-002 UMB-001 SUB-001 SUB-002 SUB-003 COL-001 COL-002 COL-003 COL-004 \
            REC-001 BRK-001 CLU-001; do
    step "$rule" bash -c "umbrella scan --rule $rule --db '$WORK/county.db' --format json -o '$WORK/$rule.json'"
done
