#!/usr/bin/env bash
# The device check: what the GPU path promises, in a few minutes, on a machine with an NVIDIA GPU.
#   bash benchmarks/gpu_check.sh             (or make gpu-check)
#   bash benchmarks/gpu_check.sh --dry-run   list the steps; needs no GPU
# Steps: make setup-gpu setup-test (the tests need pytest); the parity tests with every test graph on
# cuDNN (TECOGAN_TEST_CONTEXT=cudnn); a few iterations of both training stages on cuDNN; one process
# through NCCL (mpirun -n 1); the generate benchmark on cuDNN, in float32 and in half precision
# (bench_precision.py: fp16 against fp32, quality and seconds per step); the training benchmark on
# cuDNN. Prints a markdown table for README's GPU section, and keeps every step's log in the folder
# it names. Exit code 1 if a step failed, 2 without a GPU.
set -uo pipefail
WORK=${GPU_CHECK_DIR:-/tmp/tecogan-gpu-check}
# a relative folder is the caller's: it was taken inside the repository, where its logs went and its check looked
case $WORK in /*) ;; *) WORK=$PWD/$WORK ;; esac
# The script's own folder, through a link to it: run as a link elsewhere, its steps ran in the folder above the link.
cd "$(dirname -- "$(realpath -- "$0")")/.."
# The venv make set up (`make gpu-check VENV=v` hands it on): every step ran .venv's Python, missing or another venv.
# A relative one holding a = (`a=b`) is run as ./a=b: the shell read `a=b/bin/python -m ...` as an assignment, "-m:
# command not found" on every step; env takes any word with a = for one, so mpirun's settings are the shell's.
VENV_DIR=${GPU_CHECK_VENV:-.venv}
case $VENV_DIR in /*) VENV_COMMAND=$VENV_DIR ;; *=*) VENV_COMMAND=./$VENV_DIR ;; *) VENV_COMMAND=$VENV_DIR ;; esac
PYTHON=$VENV_COMMAND/bin/python
MPIRUN="OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 $VENV_COMMAND/bin/mpirun"
SCENES=$WORK/scenes
TRAIN_FLAGS="--input_video_dir $SCENES --context cudnn --set data.str_dir=2000 --set data.end_dir=2001 --set data.max_frm=11 --set train.save_freq=1000"

# name | command | pattern of the log line that is the step's figure
STEPS=(
  "set-up (make setup-gpu setup-test)|make setup-gpu setup-test VENV=$VENV_DIR && $PYTHON -c 'from utils.context import use_context; print(\"context\", use_context(\"cudnn\"))'|^context"
  "parity tests on cuDNN|TECOGAN_TEST_CONTEXT=cudnn $PYTHON -m pytest -q -p no:cacheprovider tests/test_models.py tests/test_ops.py tests/test_train.py tests/test_train_tecogan.py tests/test_inference.py -k '(reference or match or equal or agree) and not mpirun'| passed| failed"
  "FRVSR, 20 iterations of batch 4|$PYTHON -c 'from benchmarks.harness import SHARED, make_scenes; make_scenes(\"$SCENES\", SHARED + \"/data/calendar_lr\", 12)' && $PYTHON train.py $TRAIN_FLAGS --output_dir $WORK/frvsr --max_iter 20 --batch_size 4|^trained"
  "TecoGAN, 20 iterations of batch 1 (VGG off)|$PYTHON train.py $TRAIN_FLAGS --tecogan --output_dir $WORK/tecogan --max_iter 5 --batch_size 1 --set gan.vgg_scaling=-1 --pre_trained_frvsr_weights $WORK/frvsr/model_param_00000020.h5|^trained"
  "FRVSR under mpirun -n 1 (NCCL)|$MPIRUN -n 1 $PYTHON train.py $TRAIN_FLAGS --output_dir $WORK/nccl --max_iter 20 --batch_size 4|^trained"
  "generate, NNabla on cuDNN (16 blocks, VID4 calendar)|$PYTHON -m benchmarks.bench_generate --engines nnabla|s per frame"
  "generate in half precision on cuDNN (--precision fp16 against fp32)|$PYTHON -m benchmarks.bench_precision --precisions fp16 --context cudnn|nnabla on cudnn"
  "training benchmark on cuDNN (config.yaml defaults)|$PYTHON -m benchmarks.bench_train --context cudnn --processes 1|s per iteration"
)

if [ "${1:-}" = "--dry-run" ]; then
  for step in "${STEPS[@]}"; do
    IFS='|' read -r name command _ <<< "$step"
    printf '%s\n    %s\n' "$name" "$command"
  done
  exit 0
fi
# The steps' commands take the folder unquoted (bash -c, fields split at |): '/tmp/my logs' failed every step on a GPU,
# train.py given /tmp/my and logs/scenes.
# bash expands braces too: '/tmp/a{b,c}' gave train.py /tmp/ab/scenes and /tmp/ac/scenes.
# The venv's too: `GPU_CHECK_VENV='my v' bash benchmarks/gpu_check.sh` set up a venv `my` and failed every step on "my:
# command not found".
for setting in GPU_CHECK_DIR GPU_CHECK_VENV; do
  if [ "$setting" = GPU_CHECK_DIR ]; then folder=$WORK; else folder=$VENV_DIR; fi
  case $folder in *[[:space:]\'\"\\\$\`\|\;\&\<\>\(\)\*\?\[]* | *\{*,*\}* | *\{*..*\}*)
    echo "error: $setting '$folder' holds a space or a character the shell reads (' \" \\ \$ \` | ; & < > ( ) * ? [," \
      "braces around , or ..);" \
      "name a folder whose path has none" >&2
    exit 2 ;;
  esac
done
# The folder is emptied first: only one this script made (its mark inside) or an empty one, not a folder of the
# user's named by mistake.
MARK=$WORK/.tecogan-gpu-check
if [ -e "$WORK" ] && [ ! -e "$MARK" ] && [ -n "$(ls -A "$WORK" 2>/dev/null || echo not a folder)" ]; then
  echo "error: GPU_CHECK_DIR '$WORK' holds files this check did not write, and the check empties it first;" \
    "name a new or empty folder" >&2
  exit 2
fi
if ! command -v nvidia-smi > /dev/null 2>&1 || ! nvidia-smi -L > /dev/null 2>&1; then
  echo "error: no GPU: nvidia-smi lists no NVIDIA GPU; run this on a machine with one (--dry-run lists the steps)" >&2
  exit 2
fi

rm -rf "$WORK"
mkdir -p "$WORK"
touch "$MARK"
echo "logs in $WORK"
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)
failed=0
rows=()
for index in "${!STEPS[@]}"; do
  IFS='|' read -r name command pattern <<< "${STEPS[$index]}"
  log=$WORK/step_$index.log
  echo "== $name" >&2
  started=$SECONDS
  if bash -c "$command" > "$log" 2>&1; then result=ok; else result=FAILED; failed=1; fi
  seconds=$((SECONDS - started))
  figure=$(grep -E "$pattern" "$log" | tail -n 3 | tr '\n' ' ' | sed 's/|/\//g; s/ *$//')
  [ "$result" = ok ] || figure="$figure (last line: $(tail -n 1 "$log" | sed 's/|/\//g'))"
  rows+=("| $name | $result | $seconds | $figure |")
done

echo
echo "GPU: $gpu; $(nproc) CPU cores; $(date -u +%Y-%m-%d)"
echo
echo "| step | result | seconds | figure |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
exit $failed
