#!/usr/bin/env bash
# Two runs side by side on a lent GPU machine, each making its batches on the GPU, both
# from training/checkpoints/v1-resume.pt, both ending their schedule at the time limit: by default
# the shipped network grown by two residual blocks, with two seeds (configs/v1-gpu20-grown-a.json,
# -b.json; grown alike, so the two can be averaged). Their phase_start must be v1-resume.pt's step
# (train.py checks).
# Each run is named for its config: checkpoints and logs go to $OUT/<config name>/.
#
#   OUT=/path/to/out [PYTHON=python3] training/gpu_pair.sh [minutes] [data] [config] [config]
# The data is a packed copy of ../shared/data/train (training/pack_data.py), since only the
# checkout travels to that machine.
set -u
out=${OUT:?set OUT to the folder that receives the runs}
minutes=${1:-7.5}
data=${2:-.device-pack/train}
started=$(date +%s)
py=${PYTHON:-python3}
mount -o remount,size=16G /dev/shm 2>/dev/null || true  # the workers' batches pass through it
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null
"$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
workers=$(( ($(nproc) - 2) / 2 ))
train() {  # name config minutes [more flags]
  PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2 "$py" training/train.py --config "training/configs/$2" --run "$1" --runs-dir "$out" \
    --resume training/checkpoints/v1-resume.pt --data "$data" --time-limit "$3" --fit-steps-to-time "${@:4}" >> "$out/$1/train.log" 2>&1
}
left() { "$py" -c "print(max(0.5, $minutes - ($(date +%s) - $started) / 60 - 0.3))"; }
run() {  # name config
  mkdir -p "$out/$1"
  # Batches made on the GPU (hazeless.batch_synthesis): CPU workers fed the first GPU runs only
  # about 200 samples/s each and left the GPU 70 to 90% idle.
  train "$1" "$2" "$minutes" --synthesis device && return
  echo "$1: synthesis on the device failed, going on with $workers CPU workers for $(left) min" | tee -a "$out/$1/train.log"
  train "$1" "$2" "$(left)" --synthesis samples --workers "$workers" && return
  # Should the worker processes fail on this machine, use what time is left in one process.
  echo "$1: workers failed, going on without them for $(left) min" | tee -a "$out/$1/train.log"
  train "$1" "$2" "$(left)" --synthesis samples
}
first=${3:-v1-gpu20-grown-a.json}; second=${4:-v1-gpu20-grown-b.json}
run "${first%.json}" "$first" &
run "${second%.json}" "$second" &
(sleep 150; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null; uptime) &
wait
for r in "${first%.json}" "${second%.json}"; do echo "== $r"; grep -v "^step" "$out/$r/train.log" | tail -4; grep "^step" "$out/$r/train.log" | tail -3; done
