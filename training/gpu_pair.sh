#!/usr/bin/env bash
# Two runs side by side on a lent GPU machine, each with half its cores synthesising batches, both
# from training/checkpoints/v1-resume.pt, both ending their schedule at the time limit: by default
# the shipped network going on (configs/v1-gpu.json) and the same network grown by two residual
# blocks (v1-gpu-grown.json). Their phase_start must be v1-resume.pt's step (train.py checks).
# Each run is named for its config: checkpoints and logs go to $OUT/<config name>/.
#
#   OUT=/path/to/out [PYTHON=python3] training/gpu_pair.sh [minutes] [data] [config] [grown config]
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
run() {  # name config
  mkdir -p "$out/$1"
  train "$1" "$2" "$minutes" --workers "$workers" && return
  # Should the worker processes fail on this machine, use what time is left in one process.
  left=$("$py" -c "print(max(0.5, $minutes - ($(date +%s) - $started) / 60 - 0.3))")
  echo "$1: workers failed, going on without them for $left min" | tee -a "$out/$1/train.log"
  train "$1" "$2" "$left"
}
first=${3:-v1-gpu.json}; second=${4:-v1-gpu-grown.json}
run "${first%.json}" "$first" &
run "${second%.json}" "$second" &
(sleep 150; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null; uptime) &
wait
for r in "${first%.json}" "${second%.json}"; do echo "== $r"; grep -v "^step" "$out/$r/train.log" | tail -4; grep "^step" "$out/$r/train.log" | tail -3; done
