"""Train FRVSR (stage 1) or TecoGAN (stage 2, --tecogan) on scenes prepared by authors_scripts/dataPrepare.py.

    python train.py --input_video_dir data/train --output_dir outputs/frvsr --num_resblock 10
    mpirun -n 2 python train.py --input_video_dir data/train --output_dir outputs/frvsr
    python train.py --tecogan --pre_trained_frvsr_weights outputs/frvsr/model_param_<N>.h5 \\
        --vgg_pre_trained_weights vgg19.h5 --input_video_dir data/train --output_dir outputs/tecogan
"""
import logging

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import argparse
import os
import signal
import time
from collections import OrderedDict
from types import SimpleNamespace

import nnabla as nn
import numpy as np
import nnabla.functions as F
import nnabla.solvers as S
from tqdm import tqdm

from data_loader import BatchPrefetcher, SequenceSampler, warn_to_stderr
from losses import content_loss, warp_loss
from models import FLOW_SCOPE, GENERATOR_SCOPE, estimate_sequence_flows, flow_to_high_res, generate_sequence
from utils.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from utils.config import load_config, parse_value
from utils.context import use_context
from utils.distributed import local_rank, make_communicator
from utils.errors import UserError, exit_on_user_error
from utils.ops import BLUR_MARGIN, gaussian_downsample_four, warp_by_flow
from utils.training_log import LossLog
from utils.weights import parameters_under, save_weights

FRVSR_BLOCKS, TECOGAN_BLOCKS = 10, 16  # the paper's generator sizes, used when num_resblock is null
REFERENCE_BATCH = 4  # learning rate and iteration count in config.yaml are for batch 4 on one process


def stage_scope(config):
    return "tecogan" if config.train.tecogan else "frvsr"


def num_resblock(config):
    if config.train.num_resblock:
        return config.train.num_resblock
    return TECOGAN_BLOCKS if config.train.tecogan else FRVSR_BLOCKS


def scaled_schedule(config, num_procs):
    """(iterations, learning rate) for this batch size and process count, as the reference scales them."""
    samples_per_iteration = config.train.batch_size * num_procs
    iterations = config.train.max_iter * REFERENCE_BATCH // samples_per_iteration
    learning_rate = config.train.learning_rate * config.train.batch_size / REFERENCE_BATCH * num_procs
    if iterations < 1:
        raise UserError(f"train.max_iter {config.train.max_iter} gives no iteration at batch "
                        f"{config.train.batch_size} x {num_procs} processes; raise --max_iter")
    return iterations, learning_rate


def lr_sequence(data_hr):
    """The LR frames made from the HR crops by the training degradation: (B, T, tar, tar, 3) -> (B, T, h, w, 3)."""
    batch, length, size = data_hr.shape[:3]
    lr_frames = gaussian_downsample_four(F.reshape(data_hr, (batch * length, size, size, 3)))
    return F.reshape(lr_frames, (batch, length) + lr_frames.shape[1:])


def hr_targets(data_hr):
    """The centre of the HR crops (without the blur margin), mapped to [-1, 1]."""
    size = data_hr.shape[2] - 2 * BLUR_MARGIN
    return data_hr[:, :, BLUR_MARGIN:BLUR_MARGIN + size, BLUR_MARGIN:BLUR_MARGIN + size] * 2 - 1


def frames_batch(sequence):
    """(B, T, H, W, C) -> (B * T, H, W, C)."""
    return F.reshape(sequence, (sequence.shape[0] * sequence.shape[1],) + sequence.shape[2:])


def build_frvsr_graph(data_hr, blocks):
    """The FRVSR training graph on HR crops data_hr (B, T, tar, tar, 3) in [0, 1]."""
    lr_frames = lr_sequence(data_hr)
    batch, length, height, width, _ = lr_frames.shape
    flow_lr = estimate_sequence_flows(lr_frames)
    flow_hr = F.reshape(flow_to_high_res(flow_lr), (batch, length - 1, 4 * height, 4 * width, 2))
    generated = generate_sequence(lr_frames, flow_hr, blocks)
    graph = SimpleNamespace(lr_frames=lr_frames, flow_lr=flow_lr, flow_hr=flow_hr, generated=generated)
    graph.content_loss = content_loss(frames_batch(generated), frames_batch(hr_targets(data_hr)))
    graph.warp_loss = warp_loss(frames_batch(lr_frames[:, 1:]), warp_by_flow(frames_batch(lr_frames[:, :-1]), flow_lr))
    graph.gen_loss = graph.content_loss
    graph.fnet_loss = graph.gen_loss + graph.warp_loss
    graph.logged = {"content_loss": graph.content_loss, "warp_loss": graph.warp_loss, "fnet_loss": graph.fnet_loss}
    for variable in graph.logged.values():
        variable.persistent = True  # kept through backward(clear_buffer=True) for logging
    return graph


def adam(config, learning_rate, params):
    solver = S.Adam(alpha=learning_rate, beta1=config.train.beta, eps=config.train.adameps)
    solver.set_parameters(params)
    return solver


class StopRequest:
    """Ctrl-C or SIGTERM ends training after the current iteration, with a checkpoint."""

    def __init__(self):
        self.requested = False
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, self._request)

    def _request(self, signal_number, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        tqdm.write("stopping after this iteration (Ctrl-C again to abort without a checkpoint)")


def save_model(output_dir, iteration, scope, stage):
    """model_param_N.h5: generator/ and fnet/ without the stage prefix, loadable by generate.py."""
    with nn.parameter_scope("", scope):
        params = parameters_under(stage)
    params = {name: variable for name, variable in params.items()
              if name.startswith((GENERATOR_SCOPE + "/", FLOW_SCOPE + "/"))}
    save_weights(os.path.join(output_dir, f"model_param_{iteration:08d}.h5"), params)


def parameters_agree(comm, params):
    """True when every process holds the same parameters (checked through per-parameter checksums)."""
    checksums = np.array([float(np.sum(variable.d, dtype=np.float64)) for variable in params.values()])
    mean, mean_of_squares = comm.average(checksums), comm.average(checksums ** 2)
    return bool(np.all(mean_of_squares - mean ** 2 <= 1e-12 * (1 + mean_of_squares)))


def train(config):
    context_name = use_context(config.nnabla_context.context, config.nnabla_context.device_id + local_rank())
    comm = make_communicator(context_name, nn.get_current_context())
    is_writer = comm.rank == 0
    if config.train.tecogan:
        raise UserError("the TecoGAN stage (--tecogan) is not available yet; train FRVSR first")
    sampler = SequenceSampler(config, comm.rank, comm.size, warn_to_stderr if is_writer else (lambda message: None))
    iterations, learning_rate = scaled_schedule(config, comm.size)
    blocks, stage = num_resblock(config), stage_scope(config)

    nn.random.seed(config.train.seed)  # the same initial parameters on every process and every run
    data_hr = nn.Variable((config.train.batch_size, config.train.rnn_n, sampler.tar_size, sampler.tar_size, 3))
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        with nn.parameter_scope(stage):
            graph = build_frvsr_graph(data_hr, blocks)
        all_params = nn.get_parameters(grad_only=False)
        solvers = {"gen": adam(config, learning_rate, parameters_under(f"{stage}/{GENERATOR_SCOPE}")),
                   "fnet": adam(config, learning_rate, parameters_under(f"{stage}/{FLOW_SCOPE}"))}
        trainable = nn.get_parameters()

    output_dir = config.data.output_dir
    os.makedirs(output_dir, exist_ok=True)
    checkpoint = config.train.checkpoint or latest_checkpoint(output_dir)
    start = 0
    if checkpoint:
        start, _ = load_checkpoint(checkpoint, all_params, solvers)
        if is_writer:
            print(f"resuming from {checkpoint} at iteration {start}")
    log = LossLog(output_dir, start) if is_writer else None
    if is_writer:
        print(f"{stage}: {blocks} residual blocks, {len(sampler.windows)} sequences from {len(sampler.scenes)} scenes, "
              f"{iterations} iterations of batch {config.train.batch_size} x {comm.size} process(es), "
              f"learning rate {learning_rate:g}, {context_name}")

    prefetcher = BatchPrefetcher(sampler, start, config.train.loader_workers)
    stop = StopRequest()
    progress = tqdm(total=iterations, initial=start, unit="it", disable=not is_writer, dynamic_ncols=True)
    started, iteration = time.perf_counter(), start
    try:
        for iteration in range(start + 1, iterations + 1):
            data_hr.d = prefetcher.next()
            for solver in solvers.values():
                solver.zero_grad()
            graph.fnet_loss.forward(clear_no_need_grad=True)
            graph.fnet_loss.backward(clear_buffer=True)
            comm.average_gradients(trainable)
            for solver in solvers.values():
                solver.update()
            if is_writer:
                losses = {name: float(variable.d) for name, variable in graph.logged.items()}
                log.add(iteration, {**losses, "learning_rate": learning_rate})
                progress.set_postfix({name: f"{value:.4f}" for name, value in losses.items()}, refresh=False)
                progress.update()
            last = iteration == iterations or stop.requested
            if is_writer and (iteration % config.train.save_freq == 0 or last):
                save_model(output_dir, iteration, scope, stage)
                save_checkpoint(output_dir, iteration, all_params, solvers, {})
                log.write()
            if stop.requested:
                break
    finally:
        prefetcher.close()
        progress.close()
    in_sync = parameters_agree(comm, all_params)
    if is_writer and comm.size > 1:
        print(f"parameters {'identical' if in_sync else 'DIFFERENT'} on {comm.size} processes")
    if is_writer:
        seconds = time.perf_counter() - started
        done = iteration - start
        print(f"trained {done} iterations in {seconds:.1f} s ({seconds / max(done, 1):.2f} s per iteration, "
              f"{prefetcher.wait_seconds:.1f} s waiting for data); model in {output_dir}")


FLAG_KEYS = {"input_video_dir": "data.input_video_dir", "output_dir": "data.output_dir",
             "num_resblock": "train.num_resblock", "max_iter": "train.max_iter",
             "pre_trained_frvsr_weights": "train.pre_trained_frvsr_weights",
             "vgg_pre_trained_weights": "train.vgg_pre_trained_weights", "checkpoint": "train.checkpoint",
             "batch_size": "train.batch_size", "context": "nnabla_context.context"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Train FRVSR or TecoGAN")
    parser.add_argument("--cfg", help="a YAML file over config.yaml's defaults")
    parser.add_argument("--input_video_dir", help="folder of scene_NNNN/ training frames")
    parser.add_argument("--output_dir", help="where model_param_*.h5, checkpoints and losses go")
    parser.add_argument("--num_resblock", type=int, help="generator residual blocks (default 10 FRVSR, 16 TecoGAN)")
    parser.add_argument("--max_iter", type=int, help="iterations at batch 4 on one process (scaled otherwise)")
    parser.add_argument("--batch_size", type=int, help="sequences per process and iteration")
    parser.add_argument("--tecogan", action="store_true", help="train the TecoGAN stage")
    parser.add_argument("--pre_trained_frvsr_weights", help="TecoGAN stage: FRVSR model_param file to start from")
    parser.add_argument("--vgg_pre_trained_weights", help="TecoGAN stage: VGG19 weights (.h5)")
    parser.add_argument("--checkpoint", help="checkpoint_<iter>.json to resume from (default: the latest in output_dir)")
    parser.add_argument("--context", choices=("auto", "cpu", "cudnn"), help="compute context (default from config)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override any config.yaml entry, e.g. --set train.crop_size=16 (repeatable)")
    args = parser.parse_args(argv)
    overrides = {key: getattr(args, flag) for flag, key in FLAG_KEYS.items() if getattr(args, flag) is not None}
    if args.tecogan:
        overrides["train.tecogan"] = True
    for assignment in args.set:
        key, separator, value = assignment.partition("=")
        if not separator:
            raise UserError(f"--set needs SECTION.KEY=VALUE, got '{assignment}'")
        overrides[key.strip()] = parse_value(value)
    return load_config(args.cfg, overrides)


def main(argv=None):
    with exit_on_user_error():
        train(parse_args(argv))


if __name__ == "__main__":
    main()
