"""Checkpoints that resume training exactly: parameters, solver states and loop state.

A checkpoint of iteration N (N iterations done) is
    params_N.h5            every parameter, official channel-last layout, full graph names
    <solver>_states_N.h5   the Adam moments and step count of each solver
    checkpoint_N.json      the iteration, the file names and the loop state (e.g. the balance average)
Each file is written under a temporary name and renamed; the JSON comes last, so a checkpoint whose
JSON exists is complete.
"""
import glob
import json
import os
import re

from utils.errors import UserError
from utils.image_io import write_atomically, write_bytes
from utils.weights import assign_weights, read_weight_file, save_weights

CHECKPOINT_PATTERN = re.compile(r"checkpoint_(\d+)\.json$")
CHECKPOINTS_KEPT = 2  # older checkpoints are deleted once a newer one is complete (model_param files stay)


def save_checkpoint(output_dir, iteration, params, solvers, loop_state):
    """params: {global name: variable}; solvers: {name: nnabla solver}; loop_state: JSON-able dict."""
    params_file = f"params_{iteration:08d}.h5"
    save_weights(os.path.join(output_dir, params_file), params)
    solver_files = {}
    for name, solver in solvers.items():
        solver_files[name] = f"{name}_states_{iteration:08d}.h5"
        path = os.path.join(output_dir, solver_files[name])
        write_atomically(path, solver.save_states)
    path = os.path.join(output_dir, f"checkpoint_{iteration:08d}.json")
    write_bytes(path, json.dumps({"iteration": iteration, "params": params_file, "solvers": solver_files,
                                  "loop_state": loop_state}, indent=1), mode="w")
    prune_checkpoints(output_dir)
    return path


def checkpoints_by_iteration(output_dir):
    found = [(int(match.group(1)), path) for path in glob.glob(os.path.join(output_dir, "checkpoint_*.json"))
             for match in [CHECKPOINT_PATTERN.search(os.path.basename(path))] if match]
    return sorted(found)


def prune_checkpoints(output_dir, keep=CHECKPOINTS_KEPT):
    """Delete all but the newest `keep` checkpoints (the JSON first, so none is left half-deleted)."""
    for _, path in checkpoints_by_iteration(output_dir)[:-keep]:
        with open(path) as file:
            content = json.load(file)
        os.remove(path)
        for name in [content["params"], *content["solvers"].values()]:
            stale = os.path.join(output_dir, name)
            if os.path.exists(stale):
                os.remove(stale)


def latest_checkpoint(output_dir):
    """The checkpoint JSON of the highest iteration in output_dir, or None."""
    found = checkpoints_by_iteration(output_dir)
    return found[-1][1] if found else None


def load_checkpoint(path, params, solvers):
    """Restore parameters and solver states; return (iteration, loop_state)."""
    if not os.path.isfile(path):
        raise UserError(f"checkpoint '{path}' does not exist; pass a checkpoint_<iter>.json from the output folder")
    try:
        with open(path) as file:
            content = json.load(file)
        folder = os.path.dirname(path)
        assign_weights(params, read_weight_file(os.path.join(folder, content["params"])), content["params"])
        missing = set(solvers) - set(content["solvers"])
        if missing:
            raise UserError(f"checkpoint '{path}' has no state for the {', '.join(sorted(missing))} solver(s): "
                            "it was written by the other training stage")
        for name, solver in solvers.items():
            solver.load_states(os.path.join(folder, content["solvers"][name]))
        return content["iteration"], content.get("loop_state", {})
    except (KeyError, ValueError, OSError) as error:
        raise UserError(f"checkpoint '{path}' is incomplete or corrupt ({error}); resume from an earlier one")
