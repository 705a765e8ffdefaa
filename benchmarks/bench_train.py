"""Time FRVSR training iterations at config.yaml defaults (rnn_n 10, LR crop 32, batch 4, 10 blocks).

Runs train.py on scenes cut from the VID4 calendar frames, once as one process and once under
`mpirun -n 2`, and prints seconds per iteration, samples/s, the time the loop waited for data and
peak memory, with the reference implementation's CPU figures when ../shared/reference/timing.json
is present.

    .venv/bin/python benchmarks/bench_train.py [--iterations 4] [--processes 1 2]
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")
sys.path.insert(0, REPO_ROOT)

from utils.scene_layout import frame_path, scene_dir  # noqa: E402

BATCH = 4


def make_scenes(root, source_dir, frames_per_scene=20):
    sources = sorted(os.listdir(source_dir))
    for number in range(len(sources) // frames_per_scene):
        folder = scene_dir(root, 2000 + number)
        os.makedirs(folder)
        for index in range(frames_per_scene):
            shutil.copy(os.path.join(source_dir, sources[number * frames_per_scene + index]), frame_path(folder, index))
    return frames_per_scene - 1


def run_training(data_dir, max_frm, output_dir, processes, iterations):
    command = [sys.executable, os.path.join(REPO_ROOT, "train.py"), "--input_video_dir", data_dir,
               "--output_dir", output_dir, "--batch_size", str(BATCH), "--context", "cpu",
               "--max_iter", str(iterations * processes), "--set", f"data.max_frm={max_frm}",
               "--set", "data.end_dir=2099", "--set", "train.save_freq=1000000"]
    environment = dict(os.environ)
    if processes > 1:
        command = [os.path.join(os.path.dirname(sys.executable), "mpirun"), "-n", str(processes)] + command
        environment.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(command, capture_output=True, text=True, env=environment)
    if completed.returncode != 0:
        sys.exit(f"train.py failed: {completed.stderr.strip().splitlines()[-1]}")
    summary = re.search(r"trained (\d+) iterations in ([\d.]+) s .* ([\d.]+) s waiting for data", completed.stdout)
    done, seconds, waited = int(summary.group(1)), float(summary.group(2)), float(summary.group(3))
    peak_mib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds / done, waited / done, peak_mib


def reference_figures():
    path = os.path.join(SHARED, "reference", "timing.json")
    if not os.path.isfile(path):
        return None
    with open(path) as timing:
        summary = json.load(timing)["train_frvsr_b4"]["summary"]
    return summary["iter_s_median (all timed iterations, warm-up excluded)"], summary["peak_rss_mib_max"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=4, help="iterations timed per run")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--frames-dir", default=os.path.join(SHARED, "data", "calendar_lr"))
    args = parser.parse_args()
    reference = reference_figures()
    with tempfile.TemporaryDirectory() as workdir:
        max_frm = make_scenes(os.path.join(workdir, "scenes"), args.frames_dir)
        rates = {}
        for processes in args.processes:
            seconds, waited, peak = run_training(os.path.join(workdir, "scenes"), max_frm,
                                                 os.path.join(workdir, f"run{processes}"), processes, args.iterations)
            rates[processes] = BATCH * processes / seconds
            print(f"{processes} process(es), batch {BATCH} each: {seconds:.2f} s per iteration, "
                  f"{rates[processes]:.3f} samples/s, {waited:.3f} s per iteration waiting for data, "
                  f"peak memory {peak:.0f} MiB (largest process)")
            if processes == 1 and reference:
                print(f"  reference implementation on CPU: {reference[0]:.2f} s per iteration, {reference[1]:.0f} MiB; "
                      f"speed-up {reference[0] / seconds:.2f}x")
        if 1 in rates:
            for processes in rates:
                if processes > 1:
                    print(f"mpirun -n {processes}: {rates[processes] / rates[1]:.2f}x the samples/s of one process")


if __name__ == "__main__":
    main()
