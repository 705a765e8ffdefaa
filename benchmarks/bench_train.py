"""Time training iterations at config.yaml defaults (rnn_n 10, LR crop 32).

FRVSR: batch 4, 10 blocks. TecoGAN: batch 1 (the reference's measured setting), 16 blocks, started
from a random FRVSR model, with the full-size random VGG19 of ../shared/reference/parity_losses, in
our step order (one forward) and in the reference's (gan.reference_step_order: two forwards).
Runs train.py on scenes cut from the VID4 calendar frames, as one process and under `mpirun -n 2`,
and prints seconds per iteration, samples/s, the time the loop waited for data, the time copying the state a stop
signal's checkpoint writes (training.checkpoint.HostSnapshot) and peak memory,
with the reference implementation's CPU figures when ../shared/reference/timing.json is present.

    .venv/bin/python -m benchmarks.bench_train [--stages frvsr tecogan tecogan_reference_order] \
        [--iterations 3] [--processes 1 2]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import os
import re
import resource
import sys
import tempfile

from benchmarks.harness import SHARED, child_failure, count, make_scenes, reference_figures, run_with_peak_memory
from inference import new_parameters
from training.config import REFERENCE_BATCH
from utils.context import CONTEXT_CHOICES, context_name
from utils.errors import exit_on_user_error
from utils.flags import FlagParser
from utils.paths import REPO_ROOT
from utils.weights import save_weights

TECOGAN_FLAGS = ["--tecogan", "--vgg_pre_trained_weights",
                 os.path.join(SHARED, "reference", "parity_losses", "vgg19_random.h5")]
STAGES = {  # stage: (batch per process, extra train.py flags, reference figures in timing.json)
    "frvsr": (REFERENCE_BATCH, [], "train_frvsr_b4"),
    "tecogan": (1, TECOGAN_FLAGS, "train_tecogan_b1"),  # one forward per step (our default)
    "tecogan_reference_order": (1, TECOGAN_FLAGS + ["--set", "gan.reference_step_order=true"],
                                "train_tecogan_b1"),
}


def run_training(data_dir, max_frm, output_dir, processes, iterations, batch, extra_flags, context):
    command = [
        sys.executable,
        os.path.join(REPO_ROOT,
                     "train.py"), "--input_video_dir", data_dir, "--output_dir", output_dir, "--batch_size",
        str(batch), "--context", context, "--max_iter",
        str(-(-iterations * processes * batch // REFERENCE_BATCH)), "--set", f"data.max_frm={max_frm}",
        "--set", "data.end_dir=2099", "--set", "train.save_freq=1000000"
    ] + extra_flags
    environment = dict(os.environ)
    if processes > 1:
        command = [os.path.join(os.path.dirname(sys.executable), "mpirun"), "-n", str(processes)] + command
        environment.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    code, stdout, stderr, _ = run_with_peak_memory(command, env=environment)
    if code != 0:
        sys.exit(child_failure("train.py", code, stderr))
    summary = re.search(r"trained (\d+) iterations? in ([\d.]+) s .* ([\d.]+) s waiting for data, ([\d.]+) s copying",
                        stdout)
    done, seconds, waited, copying = (int(summary.group(1)), float(summary.group(2)), float(summary.group(3)),
                                      float(summary.group(4)))
    peak_mib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds / done, waited / done, copying / done, peak_mib


def benchmark():
    parser = FlagParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", nargs="+", choices=sorted(STAGES), default=list(STAGES))
    parser.add_argument("--iterations", type=count("--iterations"), default=3, help="iterations timed per run")
    parser.add_argument("--processes", type=count("--processes"), nargs="+", default=[1, 2])
    parser.add_argument("--context", default="cpu", choices=CONTEXT_CHOICES, help="train.py --context")
    parser.add_argument("--frames-dir", default=os.path.join(SHARED, "data", "calendar_lr"))
    args = parser.parse_args()
    # checked here: train.py's refusal of cudnn without a GPU came after the scenes were made, as "train.py failed:
    # error: ...", exit code 1
    args.context = context_name(args.context)
    print(f"{os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory() as workdir:
        max_frm = make_scenes(os.path.join(workdir, "scenes"), args.frames_dir)
        frvsr_model = os.path.join(workdir, "frvsr_random.h5")
        save_weights(frvsr_model, new_parameters(10))
        for stage in args.stages:
            batch, flags, reference_key = STAGES[stage]
            if stage.startswith("tecogan"):
                flags = flags + ["--pre_trained_frvsr_weights", frvsr_model]
            reference = reference_figures(reference_key,
                                          "iter_s_median (all timed iterations, warm-up excluded)")
            rates = {}
            for processes in args.processes:
                seconds, waited, copying, peak = run_training(os.path.join(workdir, "scenes"), max_frm,
                                                     os.path.join(workdir, f"{stage}{processes}"), processes,
                                                     args.iterations, batch, flags, args.context)
                rates[processes] = batch * processes / seconds
                print(f"{stage}, {processes} process(es), batch {batch} each: {seconds:.2f} s per iteration, "
                      f"{rates[processes]:.3f} samples/s, {waited:.3f} s per iteration waiting for data, "
                      f"{copying * 1000:.1f} ms per iteration copying the state a stop signal's checkpoint writes "
                      f"({100 * copying / seconds:.1f} %), peak memory {peak:.0f} MiB (largest process)")
                if processes == 1 and reference:
                    print(f"  reference implementation on CPU: {reference[0]:.2f} s per iteration, "
                          f"{reference[1]:.0f} MiB; speed-up {reference[0] / seconds:.2f}x")
            for processes in rates:
                if processes > 1 and 1 in rates:
                    print(
                        f"  mpirun -n {processes}: {rates[processes] / rates[1]:.2f}x the samples/s of one "
                        "process"
                    )


def main():
    with exit_on_user_error():
        benchmark()


if __name__ == "__main__":
    main()
