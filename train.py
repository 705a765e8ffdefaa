"""Train FRVSR (stage 1) or TecoGAN (stage 2, --tecogan) on scenes prepared by authors_scripts/dataPrepare.py.

    python train.py --input_video_dir data/train --output_dir outputs/frvsr --num_resblock 10
    mpirun -n 2 python train.py --input_video_dir data/train --output_dir outputs/frvsr
    python train.py --tecogan --pre_trained_frvsr_weights outputs/frvsr/model_param_<N>.h5 \\
        --vgg_pre_trained_weights vgg19.h5 --input_video_dir data/train --output_dir outputs/tecogan
"""
import logging

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C while NNabla loads: one line, exit code 130
logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import filecmp
import math
import os
import signal
import sys
import time
from collections import OrderedDict
from contextlib import ExitStack
from types import SimpleNamespace
from typing import NamedTuple

import nnabla as nn
import numpy as np
import nnabla.functions as F
import nnabla.solvers as S
from tqdm import tqdm

from data_loader import BatchPrefetcher, SequenceSampler, default_loader_threads, training_sequences, warn_to_stderr
from datasets import reds
from losses import (adversarial_loss, content_loss, discriminator_feature_loss, discriminator_loss, ping_pong,
                    ping_pong_loss, warp_loss)
from models import (DISCRIMINATOR_SCOPE, FLOW_SCOPE, GENERATOR_SCOPE, discriminator, discriminator_inputs,
                    estimate_sequence_flows, flow_to_high_res, generate_sequence)
from training.checkpoint import (CHECKPOINT_FILE_PATTERNS, CHECKPOINT_SOURCE, MAX_INTEGER_DIGITS, MAX_ITERATIONS,
                                 CheckpointOnSignal, HostSnapshot, check_settings, checkpoints_by_iteration,
                                 copy_into, files_named, forget_source, latest_checkpoint, load_checkpoint,
                                 prune_off_schedule_models, read_checkpoint, record_source, recorded_source,
                                 refuse_renamed_checkpoints, remove_orphans, save_checkpoint)
from training.config import FLOAT32_MAX, REFERENCE_BATCH, add_config_flags, config_from_flags, flat
from training.loss_log import (ITERATION_SECONDS, LOSS_LOG, TENSORBOARD_FOLDER, LossLog, TensorBoardScalars,
                               another_folder, check_same_folder)
from training.stage_weights import load_frvsr_start, model_file, save_model
from training.validation import (BEST_MODEL, PICTURE_FOLDER, PICTURE_PATTERN, Validation, check_not_trained_on,
                                 validation_clips)
from training.validation import LOG_NAME as VALIDATION_LOG
from utils.atomic_files import held_folder, remove_stale_temporaries
from utils.context import context_name, use_context
from utils.distributed import end_the_job_on_failure, make_communicator, user_error_report_after, world_rank
from utils.errors import (INTERRUPTED_EXIT, STOP_SIGNALS, UserError, counted, exit_on_user_error, ignore_signal,
                          interrupt, out_of_memory_said, printable, shortened)
from utils.degradation import DEFAULT_DEGRADATION, degrade, margin
from utils.flags import FlagParser, refuse_empty
from utils.ops import PAPER_SCALE, frames_batch, warp_by_flow
from utils.paths import (file_identity, input_file, is_within, lock_folder, make_folder, output_file,
                         output_folder)
from utils.progress import progress_bar
from utils.weights import host_values, parameters_under
from vgg19 import VGG_SCOPE, load_vgg19, vgg19_features, vgg_feature_loss

FRVSR_BLOCKS, TECOGAN_BLOCKS = 10, 16  # the paper's generator sizes, used when num_resblock is null
# Settings a resumed run may change: they leave the sample stream, the schedule and the networks as they were.
# Every other setting is recorded in the checkpoint and must stay (check_settings).
FREE_ON_RESUME = ("nnabla_context.context", "nnabla_context.device_id", "train.max_iter", "train.save_freq",
                  "train.checkpoint", "train.allow_changed_settings", "train.loader_workers",
                  "train.tensorboard", "train.pre_trained_frvsr_weights", "train.vgg_pre_trained_weights",
                  "data.input_video_dir", "data.output_dir", "train.val_freq", "train.val_metric",
                  "train.val_frames", "train.val_crop", "data.val_dir", "data.cache_dir",
                  "train.save_minutes")
# settings only the TecoGAN stage reads (its losses and the discriminator's gate): an FRVSR checkpoint does not record
# them, so that its resume with them changed (one config file for both stages, edited for the second) is not refused
TECOGAN_ONLY = ("train.eps", "train.decay")
GLOBAL_BATCH_KEY = "global batch (train.batch_size x processes)"  # its name among a checkpoint's settings


class Stage(NamedTuple):
    """A training stage. Its name is the parameter scope of its generator and flow net; solver_scopes gives,
    per solver, the scope of the parameters it updates."""
    name: str
    adversarial: bool  # TecoGAN: the spatio-temporal discriminator and its solver
    solver_scopes: dict


def training_stage(tecogan):
    name = "tecogan" if tecogan else "frvsr"
    solver_scopes = {"gen": f"{name}/{GENERATOR_SCOPE}", "fnet": f"{name}/{FLOW_SCOPE}"}
    if tecogan:
        solver_scopes["disc"] = DISCRIMINATOR_SCOPE  # at the top of the parameter tree, as in the reference
    return Stage(name, tecogan, solver_scopes)


def num_resblock(config):
    if config.train.num_resblock:
        return config.train.num_resblock
    return TECOGAN_BLOCKS if config.train.tecogan else FRVSR_BLOCKS


def scaled_schedule(config, num_procs):
    """(iterations, learning rate) for this batch size and process count, as the reference scales them."""
    samples_per_iteration = config.train.batch_size * num_procs
    processes = counted(num_procs, "process", "processes")
    iterations = config.train.max_iter * REFERENCE_BATCH // samples_per_iteration
    # compared before it is computed: a batch of more than 308 digits is past a float's range (an OverflowError)
    too_large = samples_per_iteration > FLOAT32_MAX / config.train.learning_rate * REFERENCE_BATCH
    learning_rate = (None if too_large else
                     config.train.learning_rate * config.train.batch_size / REFERENCE_BATCH * num_procs)
    if too_large:  # a setting within float32's range, scaled past it: Adam's step is infinite
        raise UserError(f"train.learning_rate {config.train.learning_rate:g} scaled by batch "
                        f"{shortened(str(config.train.batch_size))} x {processes} / {REFERENCE_BATCH} is "
                        "past float32's largest number; lower it")
    # the batch shortened in each line, as beside: a batch of 100 digits (the most run_settings lets through) was whole
    if np.float32(learning_rate) == 0:  # below float32's smallest number: Adam's step is 0, nothing would train
        raise UserError(f"train.learning_rate {config.train.learning_rate:g} scaled by batch "
                        f"{shortened(str(config.train.batch_size))} x {processes} / {REFERENCE_BATCH} is 0 in float32, "
                        "which the solver computes in: no parameter would change; raise it")
    if iterations < 1:
        raise UserError(f"train.max_iter {shortened(str(config.train.max_iter))} gives no iteration at batch "
                        f"{shortened(str(config.train.batch_size))} x {processes}; raise --max_iter")
    if iterations > MAX_ITERATIONS:  # more than a float holds failed in the progress bar, an OverflowError
        raise UserError(f"train.max_iter {shortened(str(config.train.max_iter))} gives more iterations at batch "
                        f"{shortened(str(config.train.batch_size))} x {processes} than the {MAX_ITERATIONS} NNabla's "
                        "solvers count (a C int); lower --max_iter")
    return iterations, learning_rate


def run_settings(config, num_procs):
    """The settings a checkpoint records: those that shape the sample stream, the schedule and the networks.
    The batch counts as the global batch (one process with batch 8 trains as two with batch 4), the block
    count as the one used."""
    settings = {key: value for key, value in flat(config).items()
                if key not in FREE_ON_RESUME and key != "train.batch_size"
                and (config.train.tecogan or not (key.startswith("gan.") or key in TECOGAN_ONLY))}
    settings.update({"train.num_resblock": num_resblock(config),
                     GLOBAL_BATCH_KEY: config.train.batch_size * num_procs})
    for key, value in settings.items():
        # a number past what a checkpoint's JSON is read with was written into each checkpoint, and the first resume
        # was "incomplete or corrupt (a number of 101 digits); resume from an earlier one", of the run's only ones
        if isinstance(value, int) and abs(value) >= 10 ** MAX_INTEGER_DIGITS:
            raise UserError(f"{key} {shortened(str(value))} has more than {MAX_INTEGER_DIGITS} digits, more than a "
                            "checkpoint records (no run needs one that large); lower it")
    return settings


def lr_sequence(data_hr, degradation, scale):
    """The LR frames made from the HR crops by the training degradation at `scale`: (B, T, tar, tar, 3) ->
    (B, T, h, w, 3)."""
    batch, length, size = data_hr.shape[:3]
    lr_frames = degrade(F.reshape(data_hr, (batch * length, size, size, 3)), degradation, scale)
    return F.reshape(lr_frames, (batch, length) + lr_frames.shape[1:])


def hr_targets(data_hr, degradation=DEFAULT_DEGRADATION, scale=PAPER_SCALE):
    """The centre of the HR crops (without the degradation's margin at `scale`), mapped to [-1, 1]."""
    border = margin(degradation, scale)
    size = data_hr.shape[2] - 2 * border
    return data_hr[:, :, border:border + size, border:border + size] * 2 - 1


def recurrent_generation(lr_frames, targets, blocks, scope, stage):
    """Flows, generated frames, content and warp losses of a sequence (the FRVSR part of both stages).

    The generator and flow net parameters live under `stage` ('frvsr' or 'tecogan') of the root scope dict;
    the scale is that of the targets over the LR frames.
    """
    batch, length, height, width, _ = lr_frames.shape
    scale = targets.shape[2] // height
    with nn.parameter_scope("", scope), nn.parameter_scope(stage):
        flow_lr = estimate_sequence_flows(lr_frames)
        flow_hr = F.reshape(flow_to_high_res(flow_lr, scale),
                            (batch, length - 1, scale * height, scale * width, 2))
        generated = generate_sequence(lr_frames, flow_hr, blocks)
    graph = SimpleNamespace(lr_frames=lr_frames, targets=targets, flow_lr=flow_lr, flow_hr=flow_hr,
                            generated=generated)
    graph.content_loss = content_loss(frames_batch(generated), frames_batch(targets))
    graph.warp_loss = warp_loss(frames_batch(lr_frames[:, 1:]),
                                warp_by_flow(frames_batch(lr_frames[:, :-1]), flow_lr))
    return graph


def keep_for_logging(graph, names):
    graph.logged = {name: getattr(graph, name) for name in names}
    for variable in graph.logged.values():
        variable.persistent = True  # kept through backward(clear_buffer=True) for logging


def build_frvsr_graph(data_hr, blocks, scope, stage="frvsr", degradation=DEFAULT_DEGRADATION,
                      scale=PAPER_SCALE):
    """The FRVSR training graph on HR crops data_hr (B, T, tar, tar, 3) in [0, 1]."""
    graph = recurrent_generation(lr_sequence(data_hr, degradation, scale),
                                 hr_targets(data_hr, degradation, scale), blocks, scope, stage)
    graph.gen_loss = graph.content_loss
    graph.fnet_loss = graph.gen_loss + graph.warp_loss
    keep_for_logging(graph, ("content_loss", "warp_loss", "fnet_loss"))
    return graph


def build_tecogan_graph(data_hr,
                        blocks,
                        gan,
                        eps,
                        use_vgg,
                        scope,
                        stage="tecogan",
                        degradation=DEFAULT_DEGRADATION,
                        scale=PAPER_SCALE):
    """The TecoGAN training graph: FRVSR on the ping-pong sequence, the spatio-temporal discriminator,
    and the ping-pong, adversarial, discriminator-feature and (if use_vgg) VGG19 losses. The
    discriminator and VGG19 parameters sit at the top of the scope dict, as in the reference."""
    graph = recurrent_generation(ping_pong(lr_sequence(data_hr, degradation, scale)),
                                 ping_pong(hr_targets(data_hr, degradation, scale)), blocks, scope, stage)
    generated = graph.generated
    real_input, fake_input, graph.t_gen_output = discriminator_inputs(graph.targets, generated,
                                                                      graph.lr_frames, graph.flow_hr,
                                                                      gan.crop_dt)
    with nn.parameter_scope("", scope), nn.parameter_scope(DISCRIMINATOR_SCOPE):
        real_probability, real_features = discriminator(real_input)
        fake_probability, fake_features = discriminator(fake_input)

    graph.pp_loss = ping_pong_loss(generated)
    graph.t_adversarial_loss = adversarial_loss(fake_probability, eps)
    graph.t_discrim_loss = discriminator_loss(real_probability, fake_probability, eps)
    graph.t_discrim_real_loss = F.log(real_probability + eps)
    graph.sum_layer_loss = discriminator_feature_loss(real_features, fake_features)
    graph.gen_loss = (graph.content_loss + gan.pp_scaling * graph.pp_loss
                      + gan.ratio * graph.t_adversarial_loss + gan.dt_ratio_0 * graph.sum_layer_loss)
    logged = [
        "content_loss", "warp_loss", "pp_loss", "t_adversarial_loss", "sum_layer_loss", "t_discrim_loss"
    ]
    if use_vgg:
        with nn.parameter_scope("", scope):
            graph.vgg_loss = vgg_feature_loss(vgg19_features(frames_batch(generated)),
                                              vgg19_features(frames_batch(graph.targets)))
        graph.gen_loss = graph.gen_loss + gan.vgg_scaling * graph.vgg_loss
        logged.append("vgg_loss")
    graph.fnet_loss = graph.gen_loss + graph.warp_loss
    graph.both_losses = F.sink(graph.fnet_loss, graph.t_discrim_loss, graph.t_discrim_real_loss)
    # reference step order
    graph.discriminator_losses = F.sink(graph.t_discrim_loss, graph.t_discrim_real_loss)
    keep_for_logging(graph, logged + ["gen_loss", "fnet_loss"])
    graph.t_discrim_real_loss.persistent = True
    return graph


GENERATOR_SOLVERS = ("gen", "fnet")


def discriminator_backward(graph, clear_buffer):
    """The discriminator loss's gradient, for the discriminator only: the generated frames are cut off."""
    graph.t_gen_output.need_grad = False
    graph.t_discrim_loss.backward(clear_buffer=clear_buffer)
    graph.t_gen_output.need_grad = True


def apply_gradients(solvers, learnable_params, comm, updated, before_update):
    """Average the gradients of the solvers named in `updated` over the processes, then update them
    (calling before_update() first)."""
    comm.average_gradients({f"{solver}/{name}": param for solver in updated
                            for name, param in learnable_params[solver].items()})
    before_update()
    for solver in updated:
        solvers[solver].update()


def training_step(graph, stage, solvers, learnable_params, comm, update_discriminator, reference_order=False,
                  before_update=lambda: None):
    """One training step of `stage`: forward, backward passes, gradient averaging and the updates; returns
    the names of the solvers that updated. learnable_params: per solver, the parameters it updates.

    TecoGAN: the discriminator's gradient comes from its loss with the generated frames cut off (no
    gradient into the generator); the generator and flow net's from fnet_loss. The discriminator is updated
    only when update_discriminator is true. By default both backward passes use one forward, as the
    authors' TensorFlow code does, so the generator's gradient and the balance term see the discriminator
    from before its update. With reference_order, the NNabla reference's order: the discriminator's forward
    and update first, then a second forward of the generator against the updated discriminator and its
    update (its t_discrim_loss and t_discrim_real_loss stay those of the first forward, as there).
    before_update() is called before the first parameter changes (CheckpointOnSignal.updating).
    """
    if stage.adversarial and reference_order:
        graph.discriminator_losses.forward(clear_no_need_grad=True)
        updated = []
        if update_discriminator:
            solvers["disc"].zero_grad()
            discriminator_backward(graph, clear_buffer=True)
            apply_gradients(solvers, learnable_params, comm, ["disc"], before_update)
            updated.append("disc")
        graph.fnet_loss.forward(clear_no_need_grad=True)
        for solver in GENERATOR_SOLVERS:
            solvers[solver].zero_grad()
        # also reaches the discriminator's gradient, never applied
        graph.fnet_loss.backward(clear_buffer=True)
        apply_gradients(solvers, learnable_params, comm, GENERATOR_SOLVERS, before_update)
        return updated + list(GENERATOR_SOLVERS)

    (graph.both_losses if stage.adversarial else graph.fnet_loss).forward(clear_no_need_grad=True)
    for solver in solvers.values():
        solver.zero_grad()
    updated = list(GENERATOR_SOLVERS)
    if stage.adversarial and update_discriminator:
        discriminator_backward(graph, clear_buffer=False)
        # fnet_loss also reaches the discriminator's parameters: keep its own gradient, in a copy where
        # it was computed (on the GPU on cuDNN)
        discriminator_grads = [nn.NdArray(param.shape).copy_from(param.grad)
                               for param in learnable_params["disc"].values()]
        updated.append("disc")
    graph.fnet_loss.backward(clear_buffer=True)
    if "disc" in updated:
        for param, grad in zip(learnable_params["disc"].values(), discriminator_grads):
            param.grad.copy_from(grad)
    apply_gradients(solvers, learnable_params, comm, updated, before_update)
    return updated


class BalanceAverage:
    """Moving average of mean(log D(real)) + adversarial loss, which gates the discriminator updates.

    As in the reference, the first observation only initialises the average; the gate reads 0 until
    the second step.
    """

    def __init__(self, decay, value=0.0, average=None):
        self.decay, self.value, self.average = decay, value, average

    def observe(self, balance):
        if self.average is None:
            self.average = balance
        else:
            self.average = self.decay * self.average + (1 - self.decay) * balance
            self.value = self.average

    def state(self):
        return {"balance": self.value, "balance_average": self.average}


def adam(config, learning_rate, params):
    solver = S.Adam(alpha=learning_rate, beta1=config.train.beta, eps=config.train.adameps)
    solver.set_parameters(params)
    return solver


class StopRequest:
    """Within: Ctrl-C, SIGTERM, SIGUSR1, SIGUSR2 or SIGHUP (utils.errors.STOP_SIGNALS) asks training to stop after the
    current iteration, with a checkpoint; a second one aborts at once, without a checkpoint (and later ones are
    ignored while the process exits).

    Under mpirun, SIGUSR1 (or SIGUSR2) is the one to send to mpirun: Open MPI forwards it to every process, while on
    SIGINT or SIGTERM it kills them a fraction of a second after forwarding SIGTERM."""

    SIGNALS = STOP_SIGNALS

    def __enter__(self):
        self.requested = False
        self.previous = {number: signal.signal(number, self._request) for number in self.SIGNALS}
        return self

    def __exit__(self, error_type, error, traceback):
        if error_type is None:
            # handed back to utils.errors.interrupt, a stop as train() returned was "interrupted", exit code 130, of a
            # finished run, or a KeyboardInterrupt traceback from a weakref callback as its graph was freed
            self.loop_over()
        elif error_type is not KeyboardInterrupt:
            for number, handler in self.previous.items():
                signal.signal(number, handler)

    def loop_over(self):
        """The training loop is over, finished or stopped, its records written: nothing after it is to be
        interrupted or stopped. A second stop there was "interrupted", exit code 130, of a finished run, after the
        first's line "stopping after this iteration (Ctrl-C again to abort without a checkpoint)" (it was written)."""
        for number in self.SIGNALS:
            signal.signal(number, ignore_signal)

    def _request(self, signal_number, frame):
        if self.requested:
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            interrupt(signal_number, frame)  # ignores SIGINT and SIGTERM from now on
        self.requested = True
        tqdm.write("stopping after this iteration (Ctrl-C again to abort without a checkpoint)")


def stop_agreed(comm, stop):
    """Whether a process was asked to stop, agreed by all of them after rank 0's writes of an iteration. The other
    processes wait for those writes (seconds: a validation, a checkpoint) in the first exchange, which takes the flag
    each had on entering it: a stop signal to one of them while it waited there was agreed at the next iteration's
    end, one more trained, though its line said "stopping after this iteration". The second exchange, met by all
    at about one moment, takes it (one all-reduce of one number: microseconds beside an iteration's seconds)."""
    if comm.any([stop.requested])[0]:
        return True
    return comm.size > 1 and bool(comm.any([stop.requested])[0])


def divergence(iteration, what, output_dir, setting="train.learning_rate", named="train.learning_rate"):
    """The UserError of a run whose loss, parameters or solver states are no longer finite at iteration; setting:
    the one to lower (a solver state past float32's range comes of a gradient too large: a loss weight), named: the
    key of --set's example."""
    kept = latest_checkpoint(output_dir)
    named = f"{named}=..."
    return UserError(
        f"training diverged at iteration {iteration}: {what} is not finite; " + (
            f"the last checkpoint ({kept}) is kept: resume from it with a lower {setting} (--set {named} "
            "--allow-changed-settings)" if kept else
            f"no checkpoint was written yet: start again with a lower {setting} (--set {named})"))


def finite(params):
    """Whether every parameter of {name: variable} is finite."""
    return all(np.isfinite(host_values(param)).all() for param in params.values())


def solvers_finite(solver_states):
    """Whether every moment of the solvers' states is finite: solver_states, of each solver its
    {parameter name: NNabla's state} (get_states) or {parameter name: (step count, {name: array})} (HostSnapshot's)."""
    for states in solver_states:
        for state in states.values():
            moments = state[1].values() if isinstance(state, tuple) else map(host_values, state.pstate.values())
            if not all(np.isfinite(moment).all() for moment in moments):
                return False
    return True


def state_divergence_setting(names, adversarial, gan):
    """(setting to lower, --set key of the example) of a run whose solvers `names` hold a state past float32's
    range. The generator's and the flow network's gradients, in the TecoGAN stage, are of the loss weights' sum
    (build_tecogan_graph's gen_loss: gan.vgg_scaling's too, which the line left out; the example is the largest
    weight, where it was gan.ratio of a gan.vgg_scaling of 1e30); the discriminator's loss and the FRVSR stage's have
    no weight (the line named gan.ratio of a discriminator's state): train.learning_rate. A weight of 0 weighs
    nothing: of weights all 0 the line named gan.ratio, where the generator's loss is the content loss alone."""
    weights = {"gan.ratio": gan.ratio, "gan.dt_ratio_0": gan.dt_ratio_0, "gan.pp_scaling": gan.pp_scaling,
               **({"gan.vgg_scaling": gan.vgg_scaling} if gan.vgg_scaling > 0 else {})}
    named = [name for name, weight in weights.items() if weight]
    if adversarial and set(names) & set(GENERATOR_SOLVERS) and named:
        listed = f"{', '.join(named[:-1])} or {named[-1]}" if len(named) > 1 else named[0]
        return f"loss weight ({listed})", max(named, key=lambda name: abs(weights[name]))
    return "train.learning_rate", "train.learning_rate"


def parameters_agree(comm, params):
    """True when every process holds the same learnable parameters, bit for bit.

    Each process compares per-parameter checksums with rank 0's, broadcast unchanged (an average of
    checksums would pass through float32 arithmetic under NCCL and differ between identical ranks);
    then the processes agree on the result. The discriminator's batch-norm running statistics differ
    between processes, as each sees its own batch; training never reads them (batch statistics are used)."""
    checksums = np.array([np.sum(variable.d, dtype=np.float64) for variable in params.values()])
    differs = float(checksums.tobytes() != comm.broadcast(checksums).tobytes())
    return bool(comm.average([differs])[0] == 0)


def blocks_description(config, blocks, file_blocks):
    """'N residual blocks', and on a TecoGAN start how many come from the FRVSR file and how many start at
    zero."""
    # counted: --num_resblock 1 was "1 residual blocks"
    if file_blocks is None:
        return counted(blocks, "residual block")
    origin = f"{file_blocks} from the FRVSR file, {blocks - file_blocks} starting at zero"
    if blocks > file_blocks and not config.train.num_resblock:
        origin += f"; --num_resblock {file_blocks} keeps the FRVSR size"
    return f"{counted(blocks, 'residual block')} ({origin})"


def build_training(config, data_hr, stage, blocks):
    """The graph of this stage, per solver the parameters it updates (learnable ones only: not the batch-norm
    running statistics), and {name: variable} of every parameter of the stage's networks."""
    parameter_tree = OrderedDict()  # the root parameter scope of this run: its networks' parameters, nested
    if stage.adversarial:
        graph = build_tecogan_graph(data_hr, blocks, config.gan, config.train.eps, config.gan.vgg_scaling > 0,
                                    parameter_tree, stage.name, config.data.degradation, config.train.scale)
    else:
        graph = build_frvsr_graph(data_hr, blocks, parameter_tree, stage.name, config.data.degradation,
                                  config.train.scale)
    with nn.parameter_scope("", parameter_tree):
        learnable_params = {solver: {name: param for name, param in parameters_under(prefix).items()
                                     if param.need_grad}
                            for solver, prefix in stage.solver_scopes.items()}
        network_params = nn.get_parameters(grad_only=False)
    return graph, learnable_params, network_params


def claim_output_folder(output_dir, output_claim, inputs):
    """Create and lock the output folder until output_claim (an ExitStack) closes: a second run into it stops with one
    line. Then delete what a killed run left there: temporaries, in validation/ too (but not the run's input files,
    whatever their names), and the files of checkpoints whose JSON was never written. A folder made here is removed
    again if the run ends without writing into it. Returns the folder's file_identity, which the run's writes check."""
    make_folder(output_dir, output_claim)
    output_claim.enter_context(lock_folder(output_dir, "output folder (--output_dir)"))
    claimed = file_identity(output_dir)
    # every file renamed into place in the folder checked at its rename (a model_param file's write started by its
    # path in another run's folder that replaced this one after the check before it got it over that run's)
    output_claim.enter_context(held_folder(output_dir, claimed, lambda path: another_folder(output_dir, path)))
    # in validation/ too: a picture's, of a run killed during its write, stayed there for good
    for folder in (output_dir, os.path.join(output_dir, PICTURE_FOLDER)):
        if os.path.isdir(folder):
            remove_stale_temporaries(folder, inputs=inputs)
    remove_orphans(output_dir)
    return claimed


def check_output_names(output_dir, validating, tensorboard):
    """Refuse before training an output name taken by the other kind (a folder named losses.csv or
    model_param_00010000.h5, a file named tensorboard): it would stop the run at its first save, losing that
    iteration's checkpoint."""
    files = [f"{LOSS_LOG}.csv", f"{LOSS_LOG}.png"]
    files += [f"{VALIDATION_LOG}.csv", f"{VALIDATION_LOG}.png", BEST_MODEL] if validating else []
    folders = ([TENSORBOARD_FOLDER] if tensorboard else []) + ([PICTURE_FOLDER] if validating else [])
    for name in files:
        output_file(os.path.join(output_dir, name), "training output")
    for name in folders:
        output_folder(os.path.join(output_dir, name), "training output folder")
    taken = folders_named(output_dir, CHECKPOINT_FILE_PATTERNS)
    if validating and os.path.isdir(os.path.join(output_dir, PICTURE_FOLDER)):
        taken += folders_named(os.path.join(output_dir, PICTURE_FOLDER), [PICTURE_PATTERN])
    if taken:
        raise UserError(f"'{taken[0]}' is a folder, where train.py writes a file; move it or choose another "
                        "--output_dir")


def check_outputs_outside_data(config):
    """Refuse an output folder in (or equal to) a folder whose subfolders train.py reads: a data.layout sequences
    folder (its pictures, losses.png and validation/, would be taken for training sequences) or data.val_dir's
    clip folders (it would be taken for a clip). The first run trains; every resume is refused. The frame cache
    (data.cache_dir) too in data.val_dir, where its entries would be clips without pictures (in a sequences folder
    they are folders without pictures, which are skipped). A hidden folder in them ('data/.runs') is read by neither,
    and is not refused."""
    sequences, clips = [], []
    if config.data.layout == "sequences" and config.data.input_video_dir:
        sequences.append(("--input_video_dir", config.data.input_video_dir,
                          "whose folders of pictures are training sequences (data.layout sequences)"))
    if config.train.val_freq and config.data.val_dir and not reds.is_reds_folder(config.data.val_dir):
        clips.append(("data.val_dir", config.data.val_dir, "whose folders are validation clips"))
    writers = [("--output_dir", config.data.output_dir, sequences + clips),
               ("data.cache_dir", config.data.cache_dir, clips)]
    for writer, written, read_by in writers:
        for flag, folder, content in read_by:
            if written and is_within(written, folder) and not in_hidden_folder(written, folder):
                raise UserError(f"{writer} '{written}' is inside {flag} '{folder}', {content}; set {writer} to a "
                                "folder outside it")


def in_hidden_folder(path, folder):
    """Whether path lies in a hidden folder under folder, at any depth ('data/.runs', 'data/0001/.cache'): sequences
    and clips are read from folders that are not hidden (utils.frame_names.visible_subfolders), so nothing written there
    is taken for one. Its links resolved, and as spelled where that is under folder: they are read by the names they
    are listed by, so 'data/runs', a link to 'data/.runs', is read (its losses.png, a sequence at every resume)."""
    spellings = [os.path.relpath(os.path.realpath(path), os.path.realpath(folder)),
                 os.path.relpath(os.path.abspath(path), os.path.abspath(folder))]
    return all(any(part.startswith(".") for part in inside.split(os.sep) if part != os.curdir)
               for inside in spellings if inside != os.pardir and not inside.startswith(os.pardir + os.sep))


def check_weights_not_written_over(config, output_dir):
    """Refuse weights to read that are a file of the output folder named as train.py writes (the FRVSR run's
    model_param_<N>.h5 with --output_dir that run's folder, its checkpoints deleted): the run replaced them."""
    for flag, path in (("--pre_trained_frvsr_weights", config.train.pre_trained_frvsr_weights),
                       ("--vgg_pre_trained_weights", config.train.vgg_pre_trained_weights)):
        real = os.path.realpath(path) if path else ""
        name = os.path.basename(real)
        if real and os.path.dirname(real) == os.path.realpath(output_dir) and (
                name == BEST_MODEL or any(pattern.fullmatch(name) for pattern in CHECKPOINT_FILE_PATTERNS)):
            raise UserError(f"{flag} '{path}' is a file train.py writes in --output_dir '{output_dir}', and this run "
                            "would replace it; move it out of that folder, or choose another --output_dir")


def forget_on_refusal(error_type, take_back):
    """For the output claim's exit, where this start made record_source's record: a refusal (a UserError) takes it
    back (take_back, record_source's), leaving nothing of the run (a folder it made is removed) and an earlier start's
    record as it was; a stop or a crash leaves it for the next start. Returns False: the error goes on."""
    if error_type is not None and issubclass(error_type, UserError):
        take_back()
    return False


def read_recorded_source(checkpoint, output_dir):
    """read_checkpoint of the checkpoint record_source recorded in output_dir, its line saying where it came from."""
    try:
        return read_checkpoint(checkpoint)
    except UserError as error:
        raise UserError(f"{error} (the --checkpoint the run in '{output_dir}' started from, as its {CHECKPOINT_SOURCE} "
                        f"records; pass another --checkpoint, or delete {CHECKPOINT_SOURCE} to train from iteration "
                        "0)") from None


def copied_into(checkpoint, done, path, output_dir):
    """Whether the output folder's checkpoint path (of iteration done) is copy_into's copy of the checkpoint of its
    name in the folder of the --checkpoint JSON checkpoint: the same bytes, and no row of losses.csv up to it (a run
    of the folder's own logs them; a copied checkpoint's rows are in its own folder)."""
    return (same_checkpoint(os.path.join(os.path.dirname(checkpoint), os.path.basename(path)), path)
            and not LossLog(output_dir, done).rows)


def same_checkpoint(path, other):
    """Whether the checkpoint JSONs path and other, and every file they name, hold the same bytes: a JSON alone does
    not tell two runs apart that went on from one copy with other data (a setting it does not record)."""
    return same_file_content(path, other) and all(
        same_file_content(os.path.join(os.path.dirname(path), name), os.path.join(os.path.dirname(other), name))
        for name in files_named(path))


def same_file_content(path, other):
    """Whether two regular files hold the same bytes (a pipe named like a checkpoint would wait for a writer): path of
    the --checkpoint's folder, other of the output folder. One that cannot be read (mode 200) was a PermissionError
    traceback."""
    if not (os.path.isfile(path) and os.path.isfile(other)):
        return False
    input_file(path, "checkpoint file")
    input_file(other, "training output")
    return filecmp.cmp(path, other, shallow=False)


def folders_named(folder, patterns):
    """The folders in folder whose names one of the patterns matches."""
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder))
            if os.path.isdir(os.path.join(folder, name)) and any(pattern.fullmatch(name) for pattern in patterns)]


def train(config, comm, output_claim):
    """Train (or resume) one stage with the processes of comm (make_communicator); returns True when a stop
    request ended it before max_iter. output_claim: an ExitStack that holds the output folder's lock until the
    caller's block ends."""
    output_dir = output_folder(config.data.output_dir, "output folder (--output_dir)")
    # first: a setting of more digits than a checkpoint records, refused here, is one whose size nothing below expects
    # (train.crop_size of 5,000 digits was a ValueError traceback in the sampler)
    settings = run_settings(config, comm.size)
    check_outputs_outside_data(config)
    check_weights_not_written_over(config, output_dir)
    context = context_name(config.nnabla_context.context)
    use_context(context, comm.device_id)  # under NCCL the GPU of the communicator's local rank
    is_writer = comm.rank == 0
    # a bad clip (one linked to another) was refused only after the frame cache had decoded the training data
    val_clips = validation_clips(config)
    warn = warn_to_stderr if is_writer else (lambda message: None)
    sequences = training_sequences(config.data, config.train.rnn_n, warn)
    check_not_trained_on(val_clips or [], sequences)  # before the frame cache decodes them
    sampler = SequenceSampler(config, comm.rank, comm.size, warn, sequences)
    iterations, learning_rate = scaled_schedule(config, comm.size)
    blocks, stage = num_resblock(config), training_stage(config.train.tecogan)
    if config.train.pre_trained_frvsr_weights and not stage.adversarial:  # it was ignored: a model from scratch
        raise UserError(f"--pre_trained_frvsr_weights '{config.train.pre_trained_frvsr_weights}' is read by the TecoGAN "
                        "stage only (--tecogan), and this run is the FRVSR stage, which starts from random weights; "
                        "add --tecogan, or drop it")
    checkpoint = config.train.checkpoint
    # a given one is checked before anything is made
    recorded = read_checkpoint(checkpoint) if checkpoint else None
    claimed = None
    if is_writer:
        claimed = claim_output_folder(output_dir, output_claim, [path for path in (
            checkpoint, config.train.pre_trained_frvsr_weights, config.train.vgg_pre_trained_weights) if path])
        check_output_names(output_dir, bool(val_clips), config.train.tensorboard)
    refuse_renamed_checkpoints(output_dir)
    if not checkpoint and not checkpoints_by_iteration(output_dir):  # a run started with --checkpoint of another
        checkpoint = recorded_source(output_dir)  # folder, stopped or killed before its copy (below) was whole
        recorded = read_recorded_source(checkpoint, output_dir) if checkpoint else None
    newer = [path for done, path in checkpoints_by_iteration(output_dir)
             if checkpoint and done > recorded["iteration"]]
    if newer:  # the next run without --checkpoint would resume from it, and drop this run's work
        raise UserError(f"--checkpoint '{checkpoint}' (iteration {recorded['iteration']}) is older than '{newer[-1]}' "
                        "in the output folder, from which a later resume would continue instead of this run; "
                        "leave --checkpoint out to continue from the newest, resume into another --output_dir, or "
                        "move the newer checkpoints out of it")
    # the folder as the system reads it: os.path.abspath drops 'lnk/..' as text (the folder above another)
    elsewhere = checkpoint and os.path.realpath(os.path.dirname(checkpoint) or os.curdir) != os.path.realpath(
        output_dir)
    # the checkpoints of a run of the output folder's own: not the copies a run started with a --checkpoint of the
    # checkpoint's folder made (copy_into) and was killed before a checkpoint of its own (a retry from a later one)
    own = [(done, path) for done, path in checkpoints_by_iteration(output_dir)
           if not (elsewhere and copied_into(checkpoint, done, path, output_dir))]
    # this run's saves would prune the other run's checkpoints, and its rows join theirs; not when the folder's newest
    # is a copy of the checkpoint (a copy of this run's folder, or this folder by another mount): the same run
    if elsewhere and own and not same_checkpoint(checkpoint, own[-1][1]):
        raise UserError(f"--checkpoint '{checkpoint}' is of another folder than --output_dir '{output_dir}', which "
                        f"holds checkpoints of its own run ('{own[-1][1]}'): resuming there would delete them and mix "
                        "the two runs in losses.csv; leave --checkpoint out to continue that run, or resume into a "
                        "new --output_dir")
    if not checkpoint:
        checkpoint = latest_checkpoint(output_dir)
        recorded = read_checkpoint(checkpoint) if checkpoint else None
    start = recorded["iteration"] if checkpoint else 0
    if checkpoint:
        # leaving --checkpoint out starts afresh only in a folder of no earlier start from it: one holding that start's
        # copy of it (copy_into) or record (record_source) continues it, refused again for the same settings
        changes = check_settings(checkpoint, recorded, settings, config.train.allow_changed_settings,
                                 bool(config.train.checkpoint and elsewhere and not checkpoints_by_iteration(output_dir)
                                      and not os.path.lexists(os.path.join(output_dir, CHECKPOINT_SOURCE))))
        if is_writer and changes:
            print(f"continuing with changed settings: {', '.join(changes)}")
    if start >= iterations:
        if is_writer:
            # counted and shortened: "1 iterations done", and a train.max_iter of 110 digits (at a batch of 100) whole
            print(f"the run in {printable(output_dir)} is finished: {counted(start, 'iteration')} done, train.max_iter "
                  f"{shortened(str(config.train.max_iter))} gives {iterations}; to train longer, raise --max_iter")
        return False
    if is_writer and elsewhere and not own:  # first: see record_source
        take_back = record_source(output_dir, checkpoint, lambda path: check_same_folder(output_dir, claimed, path))
        output_claim.push(lambda error_type, error, traceback: forget_on_refusal(error_type, take_back))

    nn.random.seed(config.train.seed)  # the same initial parameters on every process and every run
    data_hr = nn.Variable(
        (config.train.batch_size, config.train.rnn_n, sampler.tar_size, sampler.tar_size, 3))
    graph, learnable_params, network_params = build_training(config, data_hr, stage, blocks)
    solvers = {name: adam(config, learning_rate, params) for name, params in learnable_params.items()}
    checkpointed = {
        name: param for name, param in network_params.items() if not name.startswith(VGG_SCOPE + "/")
    }
    if stage.adversarial and config.gan.vgg_scaling > 0:
        load_vgg19(config.train.vgg_pre_trained_weights, network_params)

    loop_state, file_blocks = {}, None
    if checkpoint:
        try:
            loop_state = load_checkpoint(checkpoint, recorded, checkpointed, solvers)
        except UserError:
            if is_writer:
                # the output folder replaced during the graph's build: its checkpoint's files were said gone, deleted
                # by a run training in that folder (pruning), where the folder is another
                check_same_folder(output_dir, claimed, output_dir)
            raise
    elif stage.adversarial:
        file_blocks = load_frvsr_start(config.train.pre_trained_frvsr_weights, network_params, stage.name,
                                       blocks, config.train.scale)
    if is_writer:
        # the folder this run locked: one moved away and replaced during the start-up (the graph's build, the loads:
        # minutes for a large model) was trained into, unlocked, exit code 0; the writers below check it from here on
        check_same_folder(output_dir, claimed, output_dir)
        if not file_identity(output_dir):  # gone, none in its place: said at the first checkpoint, its iterations lost
            raise UserError(f"the output folder '{printable(output_dir)}' was removed or moved while this run started; "
                            "restore it (or choose another output) and run again")
    if checkpoint and is_writer:
        print(f"resuming from {printable(checkpoint)} at iteration {start}")
        if elsewhere and not own:  # continued without --checkpoint, after a stop or a kill at any moment
            copy_into(checkpoint, recorded, output_dir, lambda path: check_same_folder(output_dir, claimed, path))
    snapshot = HostSnapshot(checkpointed, solvers)  # iteration `start`'s values are written: copied from the first end
    balance = BalanceAverage(config.train.decay, loop_state.get("balance", 0.0),
                             loop_state.get("balance_average"))
    # the rows up to the checkpoint in losses.csv, val.csv and TensorBoard's events are this run's where the checkpoint
    # is the folder's own; where the folder holds none (the record), they are of a run killed there before its first
    # checkpoint, which this one does not continue (model_best.h5 is that run's model)
    logged = 0 if is_writer and os.path.isfile(os.path.join(output_dir, CHECKPOINT_SOURCE)) else start
    log = LossLog(output_dir, logged, folder_identity=claimed) if is_writer else None
    board = TensorBoardScalars(output_dir, logged, claimed) if is_writer and config.train.tensorboard else None
    validation = Validation(val_clips, output_dir, logged, config.train.val_metric, context, comm.device_id,
                            board, claimed) if is_writer and val_clips else None
    # the other run's rows gone now, not at the next write: once this run's first checkpoint removed the record, a
    # resume took those still there (val.csv's, where no validation came before that checkpoint) for this run's
    for kept in (log, validation.log if validation else None):
        if kept and logged != start:
            kept.write_dropped()
    if is_writer:
        print(
            f"{stage.name}: {blocks_description(config, blocks, file_blocks)}, "
            f"{counted(len(sampler.windows), 'window')} of {counted(len(sampler.scenes), 'sequence')} "
            f"({config.data.layout}), {counted(iterations, 'iteration')} of batch {config.train.batch_size} x "
            f"{counted(comm.size, 'process', 'processes')}, "
            f"learning rate {learning_rate:g}, {context}")

    prefetcher = BatchPrefetcher(sampler, start, config.train.loader_workers or default_loader_threads())
    progress = progress_bar(total=iterations, initial=start, unit="it", disable=not is_writer,
                            dynamic_ncols=True)
    samples_per_iteration = config.train.batch_size * comm.size
    started, iteration, stopping = time.perf_counter(), start, False
    save_seconds, last_saved = 60 * config.train.save_minutes, time.monotonic()
    off_schedule = recorded.get("off_schedule_models", []) if checkpoint else []
    # the networks' activations of a batch: check_batch_memory counts the loader's batches only
    out_of_memory = (
        f"out of memory in training at train.batch_size {config.train.batch_size} of {config.train.rnn_n} frames of "
        f"{sampler.tar_size}x{sampler.tar_size} pixels; lower train.batch_size or train.crop_size, or free memory")

    def on_schedule(done):
        return done % config.train.save_freq == 0 or done == iterations

    def save_training_state(done):
        nonlocal off_schedule
        if not (on_schedule(done) or (validation and done % config.train.val_freq == 0)):
            off_schedule = off_schedule + [done]
        # first: the record says that the folder holds no checkpoint of its own run, only the copy (whole since the
        # start-up), from which a kill before the checkpoint's JSON resumes
        log.check_folder(output_dir)
        forget_source(output_dir)
        # the copies of iteration done: CheckpointOnSignal's thread must not read NNabla's arrays, and the main thread
        # takes them before it saves. The folder checked before each file and each pruning: one replaced by another
        # run's since losses.csv's write (during the model's write or a validation) got this run's checkpoint over
        # that run's of the same iteration, and lost its older ones to the pruning
        save_checkpoint(output_dir, done, snapshot.params, snapshot.solver_states, balance.state(), settings,
                        off_schedule, log.check_folder)
        log.check_folder(output_dir)
        off_schedule = prune_off_schedule_models(output_dir, off_schedule)

    def write_records(done, validating):
        """The records of iteration done and its model (validated, where validating), before its checkpoint."""
        log.write()  # first: a crash before the checkpoint leaves extra rows, never missing ones
        # an update from a gradient that overflowed, its loss still finite: no checkpoint to resume from
        if not finite(checkpointed):
            raise divergence(done, "a parameter", output_dir)
        # a loss weight of 1e23 (gan.ratio): the parameters finite, Adam's second moments past float32's range, and
        # the checkpoint written of them refused by its resume (training.checkpoint.stored_state_damage)
        diverged = [name for name, solver in solvers.items() if not solvers_finite([solver.get_states()])]
        if diverged:
            raise divergence(done, "a solver state", output_dir,
                             *state_divergence_setting(diverged, stage.adversarial, config.gan))
        model_path = write_model(done, network_params)
        if validating:
            validation.run(done, model_path)
        if board:
            board.flush()

    def write_model(done, params):
        """model_param_<done>.h5 of params, into the run's own folder (another run's model of that iteration was
        replaced where the folder was replaced since losses.csv's write)."""
        log.check_folder(model_file(output_dir, done))
        return save_model(output_dir, done, params, stage.name, config.data.degradation)

    def signalled(cause):
        # SIGCONT alone also follows Ctrl-Z and fg, or a scheduler's resume of a suspended job: training goes on
        return "continued (SIGCONT)" if cause == signal.SIGCONT else f"stop signal ({cause.name})"

    def checkpoint_at_once(done, cause):
        if is_writer and snapshot.iteration != done:  # its copy failed: the error ends the run
            tqdm.write(f"{signalled(cause)}: no checkpoint of iteration {done}: its copy in memory is incomplete")
        elif is_writer and not finite(snapshot.params):  # the main thread's check below, off the schedule
            tqdm.write(f"{signalled(cause)}: no checkpoint of iteration {done}: a parameter is not finite")
        elif is_writer and not solvers_finite(snapshot.solver_states.values()):
            tqdm.write(f"{signalled(cause)}: no checkpoint of iteration {done}: a solver state is not finite")
        elif is_writer:  # what resuming needs first; no plot (seconds, and matplotlib wants the main thread)
            try:
                log.write(plot=False)
                if board:  # as the main thread's checkpoints: mpirun's SIGKILL follows, and a resume hides no events
                    board.flush()  # up to the checkpoint, which were unflushed (lost) until now
                save_training_state(done)
                write_model(done, snapshot.params)
            except UserError as error:  # a full disk, say: this thread's own line; the main thread saves at a stop
                tqdm.write(f"{signalled(cause)}: no checkpoint of iteration {done} at once: {error}")
                return False
            tqdm.write(f"{signalled(cause)}: wrote the checkpoint of iteration {done}, the last completed, at once")
            return True
        return False

    def checkpoint_exists(done, cause):
        if is_writer and done:
            tqdm.write(f"{signalled(cause)}: the checkpoint of iteration {done}, the last completed, is written")

    def train_iteration(iteration, stop, at_once):
        """One iteration's work: its step, its losses agreed and logged, its records and checkpoint where due;
        returns whether the run stops at it (a stop request agreed, at an iteration before the last)."""
        nonlocal last_saved
        iteration_started = time.perf_counter()
        data_hr.d = prefetcher.next()
        update_discriminator = balance.value < config.gan.d_balance
        with out_of_memory_said(out_of_memory):
            updated = training_step(graph, stage, solvers, learnable_params, comm, update_discriminator,
                                    config.gan.reference_step_order, at_once.updating)
        # each process's losses are of its slice of the global batch: their mean over the processes is the
        # global batch's (the slices are of one size), which one process of that batch logs (rank 0's own
        # were logged, its slice's: another run's values, mixed in losses.csv at a resume on another count)
        local = [float(variable.d) for variable in graph.logged.values()]
        if stage.adversarial:
            local.append(float(np.mean(graph.t_discrim_real_loss.d)))
        averaged = [float(value) for value in comm.average(local)]
        losses = dict(zip(graph.logged, averaged))
        if stage.adversarial:
            losses.update(balance=balance.value, discriminator_updated=float("disc" in updated))
            balance.observe(averaged[-1] + losses["t_adversarial_loss"])
        # agreed by all processes, so that they stop at one iteration (and NCCL's collectives match);
        # rank 0's clock decides a checkpoint by time, in the same all-reduce
        time_due = is_writer and 0 < save_seconds <= time.monotonic() - last_saved
        stopping, diverged, timed = comm.any(
            [stop.requested, not all(map(math.isfinite, losses.values())), time_due])
        if diverged:
            if is_writer:
                log.write()
            raise divergence(iteration, "a loss", output_dir)
        if is_writer:
            now = time.perf_counter()
            row = {
                **losses, "learning_rate": learning_rate,
                ITERATION_SECONDS: now - iteration_started
            }
            samples_per_second = samples_per_iteration * (iteration - start) / (now - started)
            log.add(iteration, row)
            if board:
                board.add(iteration, {**row, "samples_per_second": samples_per_second})
            shown = {name: f"{value:.4f}" for name, value in losses.items()
                     if name in ("content_loss", "warp_loss", "t_discrim_loss")}
            shown["samples/s"] = f"{samples_per_second:.3g}"
            progress.set_postfix(shown, refresh=False)
            progress.update()  # tqdm shows the ETA
        saving = on_schedule(iteration) or stopping or timed
        # rank 0 only; the other processes wait for it in the next all-reduce (val_clips: on every process)
        validating = bool(val_clips) and (iteration % config.train.val_freq == 0 or iteration == iterations)
        if is_writer and (saving or validating):
            write_records(iteration, validating)
        if is_writer and not saving:
            snapshot.take(iteration)  # at_once.completed's copy: a stop signal during it is agreed below
        # a stop signal since this iteration's all-reduce above (during its rows' or TensorBoard's writes,
        # the model's, the validation, the copy for the stop's checkpoint), or during the checkpoint's write
        # below: agreed now, so that the run stops at this iteration, as its line said, and not after one
        # more (every process knows saving, and meets these all-reduces alike)
        if not saving and stop_agreed(comm, stop):
            if is_writer and not validating:  # the records and the model a checkpoint's iteration has
                write_records(iteration, False)
            stopping = saving = True
        if is_writer and saving:
            snapshot.take(iteration)
            save_training_state(iteration)
            at_once.saved(iteration)
            last_saved = time.monotonic()
        if saving and not stopping and iteration < iterations:  # at the last, the run is done
            stopping = stop_agreed(comm, stop)
        at_once.completed(iteration)
        return stopping

    # a stop after the loop (while rank 0 writes the last iteration's records, or in parameters_agree) is one
    # during the last iteration: it was a KeyboardInterrupt, exit code 130, and under mpirun the abort of the job
    # killed rank 0 in the middle of its last checkpoint
    with StopRequest() as stop:
        try:
            with CheckpointOnSignal(checkpoint_at_once, checkpoint_exists, start,
                                    snapshot.take if is_writer else lambda done: None) as at_once:
                for iteration in range(start + 1, iterations + 1):
                    if train_iteration(iteration, stop, at_once):
                        stopping = True
                        break
        finally:
            prefetcher.close()
            progress.close()
            if board:
                failing = sys.exc_info()[0] is not None
                try:
                    board.close()
                except UserError:  # a full disk, say: after another error, that one is the run's line
                    if not failing:
                        raise
        stop.loop_over()
        # a stop asked during the last iteration's step finished the run: it was "stopped at iteration 1 of 1 on request
        # ...; run the same command again to continue", exit code 130, and the command run again "is finished"
        stopping = stopping and iteration < iterations
        in_sync = parameters_agree(comm, {f"{solver}/{name}": param for solver, group in learnable_params.items()
                                          for name, param in group.items()})
        if is_writer and comm.size > 1:
            print(f"parameters {'identical' if in_sync else 'DIFFERENT'} on {comm.size} processes")
        if is_writer:
            seconds = time.perf_counter() - started
            done = iteration - start
            print(
                f"trained {counted(done, 'iteration')} in {seconds:.1f} s ({seconds / max(done, 1):.2f} s per "
                f"iteration, {samples_per_iteration * done / seconds:.3g} samples/s, {prefetcher.wait_seconds:.1f} s "
                f"waiting for data, {snapshot.seconds:.2f} s copying the state a stop signal's checkpoint writes); "
                f"model in {printable(output_dir)}")
            if stopping:
                print(
                    f"stopped at iteration {iteration} of {iterations} on request, with a checkpoint; run the same "
                    f"command{' without --checkpoint' if config.train.checkpoint else ''} again to continue")
    return stopping


def parse_args(argv=None):
    parser = FlagParser(description="Train FRVSR or TecoGAN",
                        reference_flags=("--cfg", "--input_video_dir", "--output_dir", "--num_resblock",
                                         "--max_iter", "--tecogan", "--pre_trained_frvsr_weights",
                                         "--vgg_pre_trained_weights", "--checkpoint"))
    add_config_flags(parser)
    args = parser.parse_args(argv)
    refuse_empty(args, "--cfg")
    return config_from_flags(args)


def main(argv=None):
    """Exit code 0 when training is done, 2 on a user error, 130 when stopped early by Ctrl-C or SIGTERM."""
    # every process checks the flags and the config: rank 0 prints the one line
    with exit_on_user_error():  # a launcher's variable set by hand (`abc`) is one line
        report_after = user_error_report_after(world_rank())
        with exit_on_user_error(report_after=report_after):
            config = parse_args(argv)
            comm = make_communicator(context_name(config.nnabla_context.context), config.nnabla_context.device_id)
    # from here, a process that stops alone (an error of the output folder met on rank 0 only, a stop signal to one
    # process before training or a second one during it) would leave the others waiting in their next exchange, and
    # its exit waiting for them in MPI's: it ends the job; a stop request agreed by all ends each process by itself
    with end_the_job_on_failure(comm), exit_on_user_error(report_after=report_after), ExitStack() as output_claim:
        stopped = train(config, comm, output_claim)
    if stopped:
        sys.exit(INTERRUPTED_EXIT)


if __name__ == "__main__":
    main()
