"""Checkpoints that resume training exactly: parameters, solver states and loop state.

A checkpoint of iteration N (N iterations done) is
    params_N.h5            every parameter, official channel-last layout, full graph names
    <solver>_states_N.h5   the Adam moments and step count of each solver
    checkpoint_N.json      the iteration, the file names, the loop state (e.g. the balance average) and the
                           settings the run was trained with, which a resumed run must share
Each file is written under a temporary name and renamed; the JSON comes last, so a checkpoint whose
JSON exists is complete.
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager, suppress

import h5py
import numpy as np

from utils.atomic_files import remove_file, write_atomically, write_bytes
from utils.errors import UserError, counted, said_as_yaml, shortened
from utils.hdf5 import hdf5_file
from utils.paths import absolute, input_file
from utils.text import text_line, wide_text, wide_text_refusal
from utils.weights import (HostParameter, assign_weights, host_values, new_hdf5_file, read_weight_file, save_weights,
                           write_dataset)

# the iteration in every file name below, as f"{iteration:08d}" writes it: ASCII digits, eight, or more without a
# leading zero; a name of another number (shorter, zero-padded further, other scripts' digits) is a user's file
ITERATION = r"([0-9]{8}|[1-9][0-9]{8,})"
CHECKPOINT_PATTERN = re.compile(rf"checkpoint_{ITERATION}\.json$")
# the files a checkpoint_N.json names: the parameters and the states of train.training_stage's solvers (only these: a
# file of another name is a user's, and orphans of this pattern are deleted)
STATE_FILE_PATTERN = re.compile(rf"(?:params|(?:gen|fnet|disc)_states)_{ITERATION}\.h5")
MAX_INTEGER_DIGITS = 100  # a checkpoint's integers: iterations, step counts (train.py's are a C int's)
MAX_ITERATIONS = 2 ** 31 - 1  # NNabla's Adam counts its steps in a C int (the step count of a solver state file)
SHOWN_SETTING = 300  # the most characters of a setting a resume's refusal shows (a number of 100 digits, a path)
# settings that give the networks other parameters (their block count, the upsampling tail, the other stage's networks):
# a checkpoint's fit no other, and the --allow-changed-settings its refusal offered met a second refusal
NETWORK_SETTINGS = ("train.num_resblock", "train.scale", "train.tecogan")
CHECKPOINTS_KEPT = 2  # older checkpoints are deleted once a newer one is complete (model_param files stay)
MODEL_FILE_PATTERN = re.compile(rf"model_param_{ITERATION}\.h5")  # utils.weights.save_model's files
CHECKPOINT_FILE_PATTERNS = (CHECKPOINT_PATTERN, STATE_FILE_PATTERN, MODEL_FILE_PATTERN)  # what a save writes


def save_checkpoint(output_dir, iteration, params, solver_states, loop_state, settings, off_schedule_models=(),
                    check_folder=lambda path: None):
    """params: {global name: nn.Variable or HostParameter}; solver_states: {solver name: its solver_state_values, or
    a HostSnapshot's copy of them}; loop_state: JSON-able dict; settings: the JSON-able settings a resumed run must
    share with this one (see check_settings); off_schedule_models: the iterations whose model_param files were written
    off the schedule (by time or on a stop request), the only ones prune_off_schedule_models may delete;
    check_folder(path): raises where output_dir is no longer the run's folder (LossLog.check_folder), called before
    each file is written and before the pruning. Calls no NNabla when given a HostSnapshot's copies."""
    params_file = f"params_{iteration:08d}.h5"
    solver_files = {name: f"{name}_states_{iteration:08d}.h5" for name in solver_states}
    path = os.path.join(output_dir, f"checkpoint_{iteration:08d}.json")
    with all_or_none(path) as written:
        check_folder(os.path.join(output_dir, params_file))
        save_weights(os.path.join(output_dir, params_file), params)
        written.append(os.path.join(output_dir, params_file))
        for name, states in solver_states.items():
            state_path = os.path.join(output_dir, solver_files[name])
            check_folder(state_path)
            write_atomically(state_path, lambda temporary, states=states: save_solver_states(temporary, states))
            written.append(state_path)
        check_folder(path)
        write_bytes(path, json.dumps({"iteration": iteration, "params": params_file, "solvers": solver_files,
                                      "loop_state": loop_state, "settings": settings,
                                      "off_schedule_models": sorted(off_schedule_models)}, indent=1), mode="w")
    check_folder(output_dir)
    prune_checkpoints(output_dir)
    return path


def solver_state_values(solver):
    """{parameter name: (step count, {state name: numpy array})} of an NNabla solver, in its order; the arrays are
    read as utils.weights.host_values reads parameters (not moved, not copied)."""
    return {name: (int(state.t), {key: host_values(variable) for key, variable in state.pstate.items()})
            for name, state in solver.get_states().items()}


def save_solver_states(path, states):
    """states (solver_state_values') to HDF5 in the layout of NNabla's Solver.save_states, which load_states reads:
    a group per parameter (attribute index: its place in order), its states as datasets (attribute index) and its
    step count as the int64 dataset t. Written with h5py: NNabla's save_states reads the states read-write (see
    utils.weights.host_values)."""
    with new_hdf5_file(path) as h5:
        for index, (name, (step, values)) in enumerate(states.items()):
            group = h5.create_group(name)
            group.attrs["index"] = index
            for position, (key, array) in enumerate(values.items()):
                write_dataset(group, key, array)
                group[key].attrs["index"] = position
            group["t"] = np.int64(step)


class HostSnapshot:
    """Copies in host memory of the checkpointed parameters and the solvers' states, taken by the main thread at the
    end of an iteration (take), for CheckpointOnSignal's thread to write while the main thread computes the next.

    Why: NNabla's arrays (SyncedArray) are not safe to use from two threads at once: a read-write access such as .d
    clears the table of an array's copies and builds it again. The thread read the parameters' .d while the next
    iteration's forward pass ran, and about 1 run in 20 of 80 iterations then computed other losses than an
    unsignalled run; even a read-only access adds a CPU copy to a GPU array's table while the kernels read it; the
    discriminator's batch-norm statistics change during the forward pass, outside the update lock. A copy costs a
    memcpy (a GPU-to-CPU copy on a GPU) of the parameters and the Adam moments each iteration: docs/benchmarks.md has
    the figures.

    params: {name: HostParameter}; solver_states: {solver name: {parameter name: (step count, {state: array})}};
    iteration: the iteration they belong to; seconds: the time the copies took, in all."""

    def __init__(self, params, solvers):
        self.live_params, self.solvers = params, solvers
        self.params, self.solver_states, self.iteration, self.seconds = {}, {}, None, 0.0

    def take(self, iteration):
        """Copy the values of iteration `iteration` (once: a second call for it does nothing)."""
        if iteration == self.iteration:
            return
        started, self.iteration = time.perf_counter(), None  # None: half copied, if this fails
        try:  # the first take allocates the copies: three times the parameters' size with Adam's two moments
            for name, param in self.live_params.items():
                before = self.params.get(name)
                self.params[name] = HostParameter(copied(host_values(param), before and before.values),
                                                  param.need_grad)
            for solver_name, solver in self.solvers.items():
                held = self.solver_states.setdefault(solver_name, {})
                for name, (step, values) in solver_state_values(solver).items():
                    before = held.get(name, (None, {}))[1]
                    held[name] = (step, {key: copied(array, before.get(key)) for key, array in values.items()})
        except MemoryError:
            raise UserError(f"out of memory for the copy of iteration {iteration}'s parameters and solver states that "
                            "its checkpoint is written from (host memory, about three times the parameters'); free "
                            "memory, or raise the memory this process may use (ulimit -v)") from None
        self.iteration = iteration
        self.seconds += time.perf_counter() - started


def copied(values, held=None):
    """values copied into `held` (a numpy array of their shape and type, reused to spare an allocation each
    iteration) or into a new array."""
    if held is None or held.shape != values.shape or held.dtype != values.dtype:
        return np.array(values)
    np.copyto(held, values)
    return held


def copy_into(path, content, output_dir, check_folder=lambda path: None):
    """Copy the checkpoint JSON path (read_checkpoint's content), of another folder, and the files it names into
    output_dir, the JSON last and named checkpoint_<iteration>.json, its bytes unchanged (train.py's same_checkpoint
    takes it for the same run). Why: a run started with --checkpoint is continued without it, and a kill before the
    run's first checkpoint of its own left the folder none, so that the run started again from iteration 0. Nothing
    is copied where a file of those names is there already (a user's, of a hand-named checkpoint). check_folder(path):
    as save_checkpoint's, before each file (a folder replaced by another run's during the copy of the parameters got
    the other files over that run's checkpoint of the iteration)."""
    folder = os.path.dirname(path)  # as load_checkpoint reads it: os.path.abspath drops 'lnk/..' (another folder)
    names = [content["params"], *content["solvers"].values()]
    copy = os.path.join(output_dir, f"checkpoint_{content['iteration']:08d}.json")
    if any(os.path.lexists(os.path.join(output_dir, name)) for name in [*names, os.path.basename(copy)]):
        return
    with all_or_none(copy) as written:
        for source, target in [*((os.path.join(folder, name), os.path.join(output_dir, name)) for name in names),
                               (path, copy)]:
            check_folder(target)
            write_atomically(target, lambda temporary, source=source: copy_of_checkpoint_file(source, temporary, path))
            written.append(target)


def copy_of_checkpoint_file(source, target, path):
    """shutil.copyfile of source, a file of the checkpoint JSON path, to target; a source gone since it was read is one
    line. Why: a run still training in the checkpoint's folder prunes all but its two newest checkpoints, also while
    this run builds its graph and loads the checkpoint (seconds, or minutes), before the copy: FileNotFoundError's
    traceback (gone_since_read)."""
    try:
        shutil.copyfile(source, target)
    except FileNotFoundError as error:
        if error.filename != source:
            raise
        raise gone_since_read(source, path) from None


def gone_since_read(source, path):
    """The UserError for source, a file of the checkpoint JSON path, deleted since read_checkpoint found it."""
    return UserError(f"'{source}', a file of checkpoint '{path}', is gone since this run read it (a run training in "
                     "that folder deletes all but its two newest checkpoints); pass a checkpoint that is there, or "
                     "copy it out of that folder first")


def gone_file(path, content):
    """gone_since_read's UserError for the first file of the checkpoint `content` (read_checkpoint(path)) that is gone
    now, or None."""
    for name in [content["params"], *content["solvers"].values()]:
        if not os.path.lexists(os.path.join(os.path.dirname(path), name)):
            return gone_since_read(os.path.join(os.path.dirname(path), name), path)
    return None


CHECKPOINT_SOURCE = "checkpoint_source.json"  # record_source's record in an output folder


def record_source(output_dir, checkpoint, check_folder=lambda path: None):
    """Record in output_dir the --checkpoint of another folder a run there starts from, before the run does anything
    else there (recorded_source reads it back). Why: copy_into's copy is whole only once the graph is built and the
    checkpoint loaded (seconds, or minutes for a large model); a kill or a stop before that left the folder no
    checkpoint, and the same command without --checkpoint, as the docs say to continue, trained from iteration 0 again.
    forget_source removes it once the folder holds a checkpoint of the run's own. Returns a function that takes the
    record back for a refusal of this start: the folder's record as it was before (none, or an earlier start's, which
    the next start must still read: a refused --checkpoint of a third folder wrote over it), while the record is this
    start's (not once forget_source removed it for the run's own checkpoint). check_folder(path): as copy_into's,
    before the record's write and its taking back, which leaves a folder that is no longer the run's alone (one
    replaced by another run's during the graph's build, which the start-up then refuses: that run's record was
    removed, or the earlier one of this run's folder written over it)."""
    path = os.path.join(output_dir, CHECKPOINT_SOURCE)
    earlier = None
    if os.path.isfile(path):
        input_file(path, "training output")  # one of mode 200 (written, not read): a PermissionError traceback
        with open(path, "rb") as file:
            earlier = file.read()
    check_folder(path)
    write_bytes(path, json.dumps({"checkpoint": absolute(checkpoint)}), mode="w")

    def take_back():
        if not os.path.lexists(path):  # forgotten: the folder holds a checkpoint of the run's own
            return
        try:
            check_folder(path)
        except UserError:  # another run's folder: its record is not this start's to take back
            return
        if earlier is None:
            forget_source(output_dir)
        else:
            write_bytes(path, earlier)
    return take_back


def recorded_source(output_dir):
    """The checkpoint JSON path record_source recorded in output_dir, or None where there is no record."""
    path = os.path.join(output_dir, CHECKPOINT_SOURCE)
    if not os.path.lexists(path):
        return None
    if os.path.isfile(path):  # one of mode 200 was said damaged, its advice to delete it training from iteration 0
        input_file(path, "training output")
    content = content_as_far_as_read(path)
    if not (isinstance(content, dict) and isinstance(content.get("checkpoint"), str) and content["checkpoint"]):
        raise UserError(f"'{path}' is damaged (train.py records there the --checkpoint a run in the folder started "
                        "from); pass that --checkpoint again, or delete it to train from iteration 0")
    return content["checkpoint"]


def forget_source(output_dir):
    """Remove record_source's record, if any."""
    with suppress(FileNotFoundError):
        remove_file(os.path.join(output_dir, CHECKPOINT_SOURCE))


@contextmanager
def all_or_none(json_path):
    """Within: the files of one checkpoint written in turn, its JSON (json_path) last, each path appended to the list
    yielded once whole; an error (or a stop at once) deletes them: files whose JSON is not written are of no use, and a
    full disk keeps none of them. Not where the JSON is there: the error (a signal's KeyboardInterrupt) came after its
    rename, and deleting them would leave a JSON naming missing files."""
    written = []
    try:
        yield written
    except BaseException:  # a second Ctrl-C (KeyboardInterrupt) or SystemExit too: they end the run the same
        if os.path.isfile(json_path):
            raise
        for path in written:
            # UserError: the output folder another run's since (remove_file's check): its files of these names are
            # that run's, and this run's stay in its own folder, orphans its next start deletes
            with suppress(OSError, UserError):
                remove_file(path)
        raise


def checkpoints_by_iteration(output_dir):
    found = [(int(match.group(1)), path) for path in glob.glob(os.path.join(output_dir, "checkpoint_*.json"))
             for match in [CHECKPOINT_PATTERN.fullmatch(os.path.basename(path))] if match]
    return sorted(found)


def prune_checkpoints(output_dir, keep=CHECKPOINTS_KEPT):
    """Delete all but the newest `keep` checkpoints: the JSON first, so none is left half-deleted, then the
    files it named, now orphans."""
    for _, path in checkpoints_by_iteration(output_dir)[:-keep]:
        remove_file(path)
    remove_orphans(output_dir)


def prune_off_schedule_models(output_dir, off_schedule, keep=CHECKPOINTS_KEPT):
    """Delete all but the newest `keep` model_param files of the iterations off_schedule (those a checkpoint
    records as saved by time or on a stop request), so that checkpoints by time keep disk use bounded; returns
    the iterations kept. Only recorded ones: a file on an earlier run's schedule (another save_freq or
    val_freq, or its last iteration before max_iter was raised) stays."""
    newest = sorted(off_schedule)
    for iteration in newest[:-keep]:
        path = os.path.join(output_dir, f"model_param_{iteration:08d}.h5")
        if os.path.isfile(path):  # deleted already when a kill came before the next checkpoint said so
            remove_file(path)
    return newest[-keep:]


def remove_orphans(output_dir):
    """Delete parameter and solver-state files of iterations that have no checkpoint JSON (a checkpoint
    killed before its JSON was written, or pruned), unless a checkpoint JSON names them. Only while no other run
    writes into output_dir."""
    found = checkpoints_by_iteration(output_dir)
    complete = {iteration for iteration, _ in found}
    named = set().union(*(files_named(path) for _, path in found))
    try:
        names = os.listdir(output_dir)
    except (FileNotFoundError, NotADirectoryError) as error:
        # moved away in the instant after the check before the pruning (which passes a folder that is gone): a
        # traceback, after the checkpoint, whole in the folder moved
        raise UserError(f"cannot prune the checkpoints in '{output_dir}' ({error.strerror}): the output folder was "
                        "removed or moved while this ran; put it back there and run again to resume") from None
    for name in names:
        match = STATE_FILE_PATTERN.fullmatch(name)
        if (match and int(match.group(1)) not in complete and name not in named
                and os.path.isfile(os.path.join(output_dir, name))):
            remove_file(os.path.join(output_dir, name))


def files_named(path):
    """The file names a checkpoint JSON names, as far as it can be read (one renamed by hand names the files of
    another iteration than its name says; refuse_renamed refuses it, and they must stay for it to be renamed
    back)."""
    try:
        content = content_as_far_as_read(path)
        return {content["params"], *content["solvers"].values()}
    except (KeyError, TypeError, AttributeError):
        return set()


def content_as_far_as_read(path):
    """A checkpoint JSON's content, or None where it cannot be read (read_checkpoint says why, when it is used)."""
    if not os.path.isfile(path):  # a pipe would wait for a writer
        return None
    try:
        with open(path, encoding="utf-8-sig") as file:  # as read_checkpoint reads it
            return json.load(file)
    except (OSError, ValueError, RecursionError):
        return None


def refuse_unreached(path, content):
    """Refuse a checkpoint JSON (content, as read) whose iteration no run reaches."""
    held = content.get("iteration") if isinstance(content, dict) else None
    if isinstance(held, int) and not isinstance(held, bool) and not 0 <= held <= MAX_ITERATIONS:
        # one of 30 digits was told to be renamed checkpoint_<that number>.json, or resumed from where so named
        raise UserError(f"checkpoint '{path}' holds iteration {shortened(str(held))}, which no run reaches (NNabla's "
                        f"solvers count 0 to {MAX_ITERATIONS} steps): it was edited or damaged; move it out of the "
                        "folder, and resume from another")


def misnamed(path, content):
    """The iteration a checkpoint JSON holds (content, as read) where its name says another, else None."""
    named = CHECKPOINT_PATTERN.fullmatch(os.path.basename(path))
    held = content.get("iteration") if isinstance(content, dict) else None
    if named and isinstance(held, int) and not isinstance(held, bool) and int(named.group(1)) != held:
        return held
    return None


def refuse_renamed(path, content):
    """Refuse a checkpoint JSON whose name says another iteration than the one it holds (content, as read): the
    newest by name would resume an older iteration, and one named older than it is would be pruned with its files."""
    refuse_unreached(path, content)
    held = misnamed(path, content)
    if held is None:
        return
    # the right name held by another named for another iteration, whose own right name is a third's: that one first.
    # Three in a ring (2 holding 4, 4 holding 6, 6 holding 2) were told "rename the two", and the second renamed after
    # its iteration replaced the third's JSON, its files deleted as orphans at the next start
    ring = [os.path.basename(path)]
    while True:
        right = f"checkpoint_{held:08d}.json"
        taken = os.path.join(os.path.dirname(path), right)
        occupant = content_as_far_as_read(taken)
        refuse_unreached(taken, occupant)  # its own line first: no renaming helps while it is there
        other = misnamed(taken, occupant)
        if other is None or f"checkpoint_{other:08d}.json" in ring:
            break
        path, held = taken, other
        ring.append(right)
    name, other = os.path.basename(path), occupant.get("iteration") if isinstance(occupant, dict) else None
    # a name taken (a link to that checkpoint, a copy): renamed onto it as told, a link replaced the checkpoint's
    # JSON by a link to itself, and that checkpoint was lost. Which to move is named: "move it out", read as the one
    # just named, moved that checkpoint's JSON out, and its files were deleted as orphans at the next start. Taken
    # by one of another iteration (two names swapped), or by no checkpoint (a link to nothing), moving this one out
    # lost a checkpoint too
    if not os.path.lexists(taken):
        advice = f"name it {right}, or move it out of the folder"
    elif not isinstance(other, int) or isinstance(other, bool):
        advice = (f"{right} is there already and is no checkpoint train.py reads (a link to nothing, a damaged file): "
                  f"move it out of the folder, then name {name} so")
    elif os.path.islink(taken) and os.path.realpath(taken) == os.path.realpath(path):
        # a link to this one: moved out as told, it left the link the newest checkpoint, "does not exist"
        advice = f"{right} is a link to it: move the link out of the folder, then name {name} so"
    elif other == held:
        advice = f"{right} is there already: move {name} out of the folder"
    else:  # the names of a ring, each holding the iteration of the next one's name
        ring = ring[ring.index(f"checkpoint_{other:08d}.json"):] + [right]
        count = "two" if len(ring) == 2 else f"{len(ring)} ({shortened(', '.join(ring), 120)})"
        advice = (f"{right} is there already and holds iteration {other}: rename the {count} after the iterations "
                  "they hold, one first to a free name")
    raise UserError(f"checkpoint '{path}' holds iteration {held}, not the "
                    f"{int(CHECKPOINT_PATTERN.fullmatch(name).group(1))} of its name (renamed or edited by hand); "
                    f"{advice}")


def refuse_renamed_checkpoints(output_dir):
    """refuse_renamed for every checkpoint JSON in output_dir, the older ones too."""
    for _, path in checkpoints_by_iteration(output_dir):
        refuse_renamed(path, content_as_far_as_read(path))


def latest_checkpoint(output_dir):
    """The checkpoint JSON of the highest iteration in output_dir, or None."""
    found = checkpoints_by_iteration(output_dir)
    return found[-1][1] if found else None


def _file_name(value):
    # printable: train.py's names are; a NUL or newline edited in would be written into the error line
    return (isinstance(value, str) and value == os.path.basename(value) and value not in ("", ".", "..")
            and value.isprintable())


def _well_formed(content):
    return (isinstance(content, dict) and isinstance(content.get("iteration"), int)
            and not isinstance(content["iteration"], bool) and content["iteration"] >= 0
            and _file_name(content.get("params")) and isinstance(content.get("solvers"), dict)
            and all(isinstance(name, str) and _file_name(file) for name, file in content["solvers"].items())
            and isinstance(content.get("loop_state", {}), dict)
            and all(value is None or _float_number(value) for value in content.get("loop_state", {}).values())
            and isinstance(content.get("settings", {}), dict)
            and isinstance(content.get("off_schedule_models", []), list)
            and all(isinstance(iteration, int) and not isinstance(iteration, bool) and iteration >= 0
                    for iteration in content.get("off_schedule_models", [])))


def _float_number(value):
    """A number a float holds: not a bool, NaN, an infinity (json reads NaN and Infinity) or an int past float's
    range (the balance average's arithmetic overflowed; a NaN or infinite one held the discriminator's gate shut for
    good)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= sys.float_info.max


def _without_repeated_keys(pairs):
    """A JSON object as a dict; ValueError for a key given twice, which json would settle silently by the last
    (an edited "iteration" given twice resumed from the one with the other's files)."""
    content = {}
    for key, value in pairs:
        if key in content:
            raise ValueError(f"'{key}' is given twice")
        content[key] = value
    return content


def _integer(text):
    """A JSON integer of a checkpoint; one of thousands of digits is refused here, where Python's own error advised
    the user to call sys.set_int_max_str_digits()."""
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a number of {len(text.lstrip('-'))} digits")
    return int(text)


def read_checkpoint(path):
    """The content of a checkpoint JSON, checked: iteration (int), params and solvers (file names beside
    it), loop_state and settings (dicts; older checkpoints have no settings)."""
    # regular: a pipe would wait without end for a writer (train.py writes checkpoints as files)
    input_file(path, "checkpoint", "pass a checkpoint_<iter>.json from the output folder", regular=True)
    try:
        with open(path, "rb") as file:
            data = file.read()
        if wide_text(data):  # edited, saved by Notepad as "Unicode": said "a binary file" ("corrupt" without a mark)
            raise wide_text_refusal(f"checkpoint '{path}'", "save it as UTF-8 (as train.py writes it)")
        # utf-8-sig: one edited and saved with a byte-order mark (Notepad's "UTF-8 with BOM") was "incomplete or
        # corrupt; resume from an earlier one", of a whole file
        content = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_without_repeated_keys,
                             parse_int=_integer)
    except UnicodeDecodeError as error:
        if b"\0" in data:  # a binary file: a model_param_<iter>.h5 or params_<iter>.h5 given for the JSON
            raise UserError(f"checkpoint '{path}' is a binary file, not a checkpoint_<iter>.json; pass the JSON from "
                            "the output folder (it names the parameter and solver files to resume from)") from None
        # text in another encoding (an edit saved in Latin-1): said to be a binary file
        raise UserError(f"checkpoint '{path}' line {text_line(data, error.start)} is not UTF-8 text; save it as "
                        "UTF-8 (as train.py writes it)") from None
    except (ValueError, OSError, RecursionError) as error:  # RecursionError: arrays nested thousands deep
        raise UserError(f"checkpoint '{path}' is incomplete or corrupt ({error}); resume from an earlier one")
    # first: a negative iteration given as --checkpoint was "not a checkpoint of train.py (it needs iteration, ...)",
    # and the same file in the output folder "holds iteration -5, which no run reaches"
    refuse_unreached(path, content)
    if not _well_formed(content):
        raise UserError(
            f"checkpoint '{path}' is not a checkpoint of train.py (it needs iteration, params, solvers); "
            "resume from an earlier one")
    refuse_renamed(path, content)
    past = sorted(iteration for iteration in content.get("off_schedule_models", []) if iteration > content["iteration"])
    if past:  # read and kept, an on-schedule model of that iteration was deleted as off the schedule once reached
        raise UserError(f"checkpoint '{path}' records model_param files written off the schedule at iteration "
                        f"{shortened(str(past[0]))}, past its own {content['iteration']}: it was edited or damaged; "
                        "move it out of the folder, and resume from another")
    missing = [name for name in [content["params"], *content["solvers"].values()]
               if not os.path.isfile(os.path.join(os.path.dirname(path), name))]
    if missing:  # a JSON copied without its files: else called a missing weights file the user never named
        raise UserError(f"checkpoint '{path}' names '{missing[0]}' beside it, which is missing; keep a checkpoint's "
                        ".h5 files in the folder of its JSON, or resume from another checkpoint")
    return content


def same_setting(recorded, value):
    """Whether a checkpoint's recorded setting is this run's value. A whole number written with an exponent that no
    float holds (data.end_dir=1e23) was recorded by the versions before as the float's whole number
    (99999999999999991611392), and is read now as the number written: their checkpoints' resumes were refused as of
    changed settings."""
    if recorded == value:
        return True
    whole = [isinstance(number, int) and not isinstance(number, bool) for number in (recorded, value)]
    return all(whole) and abs(value) <= sys.float_info.max and float(value) != value and int(float(value)) == recorded


def setting_change(key, recorded, value):
    """A changed setting as a resume's refusal says it, in YAML's words, as config.yaml and the checkpoint write them
    ("train.tecogan False -> True" was Python's). Shortened: a value edited into the JSON (a string of a megabyte) was
    written whole into the line. Two texts alike in their first SHOWN_SETTING characters (paths deeper than that, of
    other last folders) read the same on both sides: shown from a little before where they differ; two that look
    alike, escaped."""
    if not (isinstance(recorded, str) and isinstance(value, str)):
        return f"{key} {said_as_yaml(recorded, SHOWN_SETTING)} -> {said_as_yaml(value, SHOWN_SETTING)}"
    # escaped where they look alike: a folder's 'é' of a macOS copy (e and a combining accent) against the one letter
    # typed was "'/d/é' -> '/d/é'"
    texts = (recorded, value)
    shown = ascii if len({unicodedata.normalize("NFC", text) for text in texts}) == 1 else repr
    before, after = (shortened(shown(text), SHOWN_SETTING) for text in texts)
    if before[1:] == after[1:]:  # alike but for the quote mark: a path ending in ' against one ending in " read so
        # from a little before where they differ (ascii's escape of a character is up to 10 characters)
        start = max(0, len(os.path.commonprefix(texts)) - SHOWN_SETTING // (40 if shown is ascii else 4))
        before, after = (shortened(shown("..." + text[start:]), SHOWN_SETTING) for text in texts)
    return f"{key} {before} -> {after}"


def check_settings(path, content, settings, allow_changes=False, given=False):
    """Refuse to resume the checkpoint `content` (read from path) with settings other than those it was
    trained with: they would change the sample stream, the schedule or the networks. Settings the
    checkpoint does not record (older checkpoints, newer settings) are not compared. Returns the changes.
    given: path is a --checkpoint of another folder than the output folder, which a run without it leaves."""
    recorded = content.get("settings", {})
    changed = {key: setting_change(key, recorded[key], value)
               for key, value in settings.items() if key in recorded and not same_setting(recorded[key], value)}
    changes = list(changed.values())
    networks = [change for key, change in changed.items() if key in NETWORK_SETTINGS]
    # another --output_dir with the same --checkpoint (into a new folder already) was refused again
    afresh = "start afresh without --checkpoint" if given else "start afresh with another --output_dir"
    if networks:
        # an FRVSR run's checkpoint given with --tecogan: the stage starts from its model, by another flag
        stage = (" (the TecoGAN stage starts from an FRVSR run's model_param_<iter>.h5 by --pre_trained_frvsr_weights)"
                 if given and recorded.get("train.tecogan") is False and settings.get("train.tecogan") is True else "")
        raise UserError(f"checkpoint '{path}' was trained with other settings: {', '.join(networks)}, which shape the "
                        "networks (its parameters fit no other, even with --allow-changed-settings); set them back, or "
                        f"{afresh}{stage}")
    if changes and not allow_changes:
        raise UserError(
            f"checkpoint '{path}' was trained with other settings: {', '.join(changes)}; {afresh}, or pass "
            "--allow-changed-settings to continue with the new ones")
    return changes


def load_checkpoint(path, content, params, solvers):
    """Restore the parameters and solver states of the checkpoint `content` (read_checkpoint(path));
    return its loop_state."""
    folder = os.path.dirname(path)
    missing, extra = set(solvers) - set(content["solvers"]), set(content["solvers"]) - set(solvers)
    if missing or extra:  # extra: a TecoGAN checkpoint for the FRVSR stage, whose parameter names it lacks
        names = sorted(missing or extra)
        solvers_said = f"{', '.join(names)} solver{'' if len(names) == 1 else 's'}"
        held = (f"no state for the {solvers_said}" if missing else
                f"the state of the {solvers_said}, which this stage does not train")
        # the stages differ by the discriminator's solver alone (train.training_stage): a checkpoint naming none, or
        # one solver of the two of this stage, was edited, where it was said to be of the other stage
        if (missing | extra) == {"disc"}:
            raise UserError(f"checkpoint '{path}' has {held}: it was written by the other training stage")
        named = ", ".join(sorted(content["solvers"])) or "none"
        raise UserError(f"checkpoint '{path}' has {held}, and its solvers ({named}) are no training stage's: it was "
                        "edited or damaged; resume from an earlier one")
    gone = gone_file(path, content)  # found by read_checkpoint, before the graph's build
    if gone:
        raise gone
    try:
        arrays = read_weight_file(os.path.join(folder, content["params"]),
                                  f"it is a file of checkpoint '{path}': resume from an earlier checkpoint")
        assign_weights(params, arrays, content["params"])
        for name, solver in solvers.items():
            # one that cannot be read (mode 200) was "incomplete or corrupt ... resume from an earlier one", with
            # HDF5's message, where the file is whole: its permissions said, as the parameter file's are
            input_file(os.path.join(folder, content["solvers"][name]), "solver state file")
            # checked before NNabla reads it: it takes a moment of another shape, and fails with a TypeError or an
            # OverflowError on a state of another parameter or a step count past a C int
            damage = solver_state_damage(os.path.join(folder, content["solvers"][name]), solver.get_states(),
                                         content["iteration"])
            if damage:
                raise UserError(f"checkpoint '{path}': {content['solvers'][name]} holds {damage}; resume from an "
                                "earlier checkpoint")
            solver.load_states(os.path.join(folder, content["solvers"][name]))
    except (KeyError, ValueError, OSError, RuntimeError, UserError) as error:
        # a file pruned while the others were read (by a run training in the checkpoint's folder): that is the line, not
        # "incomplete or corrupt" with HDF5's message, nor read_weight_file's advice to pass a model file
        gone = gone_file(path, content)
        if gone:
            raise gone from None
        if isinstance(error, UserError):
            raise
        # NNabla's RuntimeError (a state file of another solver, or a parameter file) starts with its C++ source
        # file and line: the last line says what is wrong
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise UserError(f"checkpoint '{path}' is incomplete or corrupt ({reason}); resume from an earlier one")
    return content.get("loop_state", {})


STATE_NAMES = {"t": "step count"}  # NNabla's names of a parameter's Adam state, where they are not words


def solver_state_damage(path, states, iteration):
    """What makes the Adam states in the file path unfit to resume a solver whose states are {parameter name: state}
    (as initialised: their shapes) at the checkpoint's iteration, or None. A parameter whose state the file lacks would
    go on from a fresh one, silently (NNabla's load_states keeps it); a moment of another shape is taken as it is; a
    NaN moment spreads to every parameter within steps; a negative second moment (a mean of squares) or step count
    gives NaN updates (a root of a negative, a division by zero in the bias correction); a solver updates at most
    once an iteration."""
    with hdf5_file(path, "r") as h5:
        stored = {}  # {parameter name: {"mean", "var", "t": its dataset}}, a group per parameter
        h5.visititems(lambda name, item: stored.setdefault(os.path.dirname(name), {}).update(
            {os.path.basename(name): item}) if isinstance(item, h5py.Dataset) else None)
        # a file of another kind: load_checkpoint calls it corrupt, as NNabla's errors
        if not set(states) & set(stored):
            raise ValueError(f"{os.path.basename(path)} holds no state of this solver's parameters")
        return stored_state_damage(stored, states, iteration)


def stored_state_damage(stored, states, iteration):
    """solver_state_damage of the file's datasets: shapes are compared before any is read, since a file of a few MB
    can declare a moment of many GB."""
    missing, extra = sorted(set(states) - set(stored)), sorted(set(stored) - set(states))
    if missing or extra:
        return f"no solver state for parameter '{missing[0]}'" if missing else (
            f"a solver state for '{extra[0]}', a parameter this model does not have")
    for name, state in states.items():
        held = stored[name]
        absent = [key for key in (*state.pstate, "t") if key not in held]
        if absent:
            return f"no {STATE_NAMES.get(absent[0], absent[0])} for parameter '{name}'"
        for moment, initial in state.pstate.items():
            if held[moment].dtype.kind not in "fiu" or held[moment].shape != initial.shape:
                return (f"a {moment} of shape {held[moment].shape} and type {held[moment].dtype} for parameter "
                        f"'{name}' of shape {initial.shape}")
        if held["t"].dtype.kind not in "iu" or held["t"].shape != ():
            return (f"a step count for parameter '{name}' that is not one whole number ({held['t'].dtype}, shape "
                    f"{held['t'].shape})")
        moments, step = {moment: held[moment][()] for moment in state.pstate}, held["t"][()]
        if not all(np.isfinite(values).all() for values in moments.values()):
            return "NaN or infinite solver states"
        if step < 0 or ("var" in moments and (moments["var"] < 0).any()):
            return "negative solver states (a second moment or step count below zero)"
        if step > iteration:
            return (f"a step count of {int(step)} for parameter '{name}', past the checkpoint's "
                    f"{counted(iteration, 'iteration')}")
    return None


LOCK_POLL_SECONDS = 0.1  # how often CheckpointOnSignal's thread, waiting for an update to end, asks if the run is ending


class CheckpointOnSignal:
    """Within: a stop signal makes a thread write the checkpoint of the last completed iteration at once,
    while the main thread may still be inside the next iteration's forward and backward passes.

    Why: on Ctrl-C or SIGTERM, mpirun (Open MPI 5) sends its processes SIGCONT, SIGTERM 0.25 s later and
    SIGKILL about 0.25 s after that, sooner than an iteration ends; no setting lengthens it. SIGCONT counts
    as a signal here, as the first of that sequence: the checkpoint it writes is harmless when no kill
    follows. Signals reach the thread through the wake-up file descriptor, written by Python's C-level
    handler even while the main thread is inside NNabla (which releases the GIL).

    The main thread calls updating() before its first parameter update of an iteration and completed(done)
    once that iteration is bookkept (and saved, if due); in between, nothing is written by the thread.
    completed calls take_snapshot(done) first (a HostSnapshot's take): the thread writes those copies, never NNabla's
    arrays, which are not safe to read while the main thread computes (see HostSnapshot).
    write(done, cause) writes the checkpoint of iteration `done` and returns whether it did (once it did, a later
    signal does not write it again: already_written(done, cause) says that it exists); cause: the signal (a
    signal.Signals). write says why itself when it cannot: an exception would end this thread with a traceback.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGCONT)

    def __init__(self, write, already_written, done, take_snapshot):
        self.write, self.already_written, self.done, self.written = write, already_written, done, done
        self.take_snapshot = take_snapshot
        self.lock = threading.Lock()
        self.holding = self.left_mid_update = self.closing = False

    def __enter__(self):
        self.receiver, sender = socket.socketpair()
        sender.setblocking(False)
        self.sender = sender
        self.previous_continue = signal.signal(signal.SIGCONT, lambda number, frame: None)
        self.previous_fd = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
        self.thread = threading.Thread(target=self._watch, name="checkpoint on signal", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, error_type, error, traceback):
        signal.set_wakeup_fd(self.previous_fd)
        signal.signal(signal.SIGCONT, self.previous_continue)
        # left between updating() and completed() (a second stop signal, an error): the parameters are those of no
        # iteration, and a signal the thread waits on must not write them as the last completed one's
        self.left_mid_update = self.holding
        self._release()
        self.closing = True
        self.sender.close()  # the thread's recv returns b"": it ends after a write in progress
        self.thread.join()
        self.receiver.close()

    def updating(self):
        if not self.holding:
            self.lock.acquire()
            self.holding = True

    def completed(self, done):
        self.updating()  # an iteration of no update: the thread may be writing the copies take_snapshot replaces
        try:
            self.take_snapshot(done)
            self.done = done
        finally:
            self._release()

    def _release(self):
        if self.holding:
            self.holding = False
            self.lock.release()

    def saved(self, done):
        """The main thread wrote the checkpoint of `done` itself."""
        self.written = done

    def _watch(self):
        while True:
            received = self.receiver.recv(64)
            if not received:
                return
            causes = [signal.Signals(number) for number in received if number in self.SIGNALS]
            if causes:
                # a second stop signal between updating()'s acquire and its record of the hold leaves the lock held
                # for good: waiting on it, the thread (and the exit that joins it) would hang
                while not self.lock.acquire(timeout=LOCK_POLL_SECONDS):
                    if self.closing:
                        return
                try:
                    if self.left_mid_update:
                        return
                    if self.done == self.written:
                        self.already_written(self.done, causes[0])
                    elif self.write(self.done, causes[0]):
                        self.written = self.done
                finally:
                    self.lock.release()
