"""TecoGAN training: loss parity with the reference, gradients, stage hand-over, balancing, resume, mpirun."""
import json
import os

import h5py
import nnabla.solvers as S
import numpy as np
import pytest

import train
from conftest import reference_path
from helpers import mpirun_train
from reference_graphs import LOSSES, VGG_FIXTURE, tecogan_reference_graph, solver_parameters
from training_data import logged_rows, make_calendar_scenes, tiny_training_flags
from utils.distributed import SingleProcess

LOSS_NAMES = ("content_loss", "warp_loss", "fnet_loss", "vgg_loss", "gen_loss", "sum_layer_loss",
              "t_adversarial_loss", "t_discrim_loss")


@pytest.mark.parametrize("scale, losses_file", [(1, "losses.json"), (4, "losses_x4.json")])
def test_tecogan_losses_match_reference(scale, losses_file):
    graph, _ = tecogan_reference_graph(scale)
    graph.both_losses.forward()
    with open(os.path.join(LOSSES, losses_file)) as file:
        expected = json.load(file)["tecogan"]
    for name in LOSS_NAMES:
        assert float(getattr(graph, name).d) == pytest.approx(expected[name], rel=1e-5), name
    assert float(graph.pp_loss.d) == pytest.approx(expected["pp_loss"], abs=1e-7 if scale == 1 else 1e-6)
    assert float(np.mean(graph.t_discrim_real_loss.d)) == pytest.approx(expected["t_discrim_real_loss_mean"],
                                                                        rel=1e-5)


def test_tecogan_sequences_match_reference():
    graph, _ = tecogan_reference_graph(1)
    graph.both_losses.forward()
    expected = np.load(os.path.join(LOSSES, "intermediates_tecogan.npz"))
    assert np.abs(graph.generated.d[0] - expected["s_gen_output"]).max() <= 2e-5
    assert np.abs(graph.t_gen_output.d - expected["t_gen_output"]).max() <= 2e-5
    assert np.abs(graph.t_discrim_real_loss.d - expected["t_discrim_real_loss"]).max() <= 1e-5
    strong, _ = tecogan_reference_graph(4)
    strong.both_losses.forward()
    expected = np.load(os.path.join(LOSSES, "intermediates_x4.npz"))
    assert np.abs(strong.flow_lr.d - expected["tecogan_flow_lr"]).max() <= 5e-5
    assert np.abs(strong.generated.d[0] - expected["tecogan_s_gen_output"]).max() <= 2e-5


def test_one_forward_gives_the_gradients_of_two_separate_passes():
    graph, scope = tecogan_reference_graph(4)
    params = solver_parameters(scope)
    frozen = {name: S.Sgd(0.0) for name in params}  # learning rate 0: gradients only
    for name, solver in frozen.items():
        solver.set_parameters(params[name])
    train.training_step(graph,
                        train.training_stage(True),
                        frozen,
                        params,
                        SingleProcess(),
                        update_discriminator=True)
    combined = {
        solver: {
            name: param.g.copy() for name, param in group.items()
        } for solver, group in params.items()
    }

    separate_graph, separate_scope = tecogan_reference_graph(4)
    separate = solver_parameters(separate_scope)
    for group in separate.values():
        for param in group.values():
            param.grad.zero()
    separate_graph.t_discrim_loss.forward()
    separate_graph.t_gen_output.need_grad = False
    separate_graph.t_discrim_loss.backward()
    separate_graph.t_gen_output.need_grad = True
    discriminator_grads = {name: param.g.copy() for name, param in separate["disc"].items()}
    for group in separate.values():
        for param in group.values():
            param.grad.zero()
    separate_graph.fnet_loss.forward()
    separate_graph.fnet_loss.backward()
    for solver in ("gen", "fnet"):
        for name, param in separate[solver].items():
            np.testing.assert_allclose(combined[solver][name], param.g, rtol=1e-5, atol=1e-9, err_msg=name)
    for name, grad in discriminator_grads.items():
        np.testing.assert_allclose(combined["disc"][name], grad, rtol=1e-5, atol=1e-9, err_msg=name)
    assert np.abs(combined["disc"]["conv/conv/W"]).max() > 0


def test_balance_average_gates_from_the_second_step():
    balance = train.BalanceAverage(0.99)
    balance.observe(0.5)
    assert balance.value == 0.0  # the first observation only initialises the average
    balance.observe(1.5)
    assert balance.value == pytest.approx(0.99 * 0.5 + 0.01 * 1.5)


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


@pytest.fixture(scope="module")
def frvsr_model(scenes, tmp_path_factory):
    output = tmp_path_factory.mktemp("frvsr")
    train.main(tiny_training_flags(scenes, output, **{"train.max_iter": 2}) + ["--batch_size", "4"])
    return str(output / "model_param_00000002.h5")


def tecogan_flags(scenes, output_dir, frvsr_model, **settings):
    flags = tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4, **settings})
    return flags + ["--tecogan", "--batch_size", "4", "--num_resblock", "3",
                    "--pre_trained_frvsr_weights", frvsr_model, "--vgg_pre_trained_weights", VGG_FIXTURE]


def h5_arrays(path):
    with h5py.File(path, "r") as h5:
        arrays = {}
        h5.visititems(lambda name, item: arrays.__setitem__(name, item[()])
                      if isinstance(item, h5py.Dataset) else None)
    return arrays


def test_short_run_on_real_frames_logs_finite_losses_and_gates_the_discriminator(
        scenes, frvsr_model, tmp_path):
    train.main(tecogan_flags(scenes, tmp_path / "run", frvsr_model))
    rows = logged_rows(tmp_path / "run")
    assert len(rows) == 4
    for row in rows:
        for name in ("content_loss", "pp_loss", "vgg_loss", "t_adversarial_loss", "t_discrim_loss",
                     "sum_layer_loss"):
            assert np.isfinite(float(row[name])), name
        assert float(row["discriminator_updated"]) == float(float(row["balance"]) < 0.4)
    assert (tmp_path / "run" / "losses.png").stat().st_size > 0


def test_discriminator_is_not_updated_while_the_balance_is_above_the_threshold(scenes, frvsr_model, tmp_path):
    train.main(tecogan_flags(scenes, tmp_path / "never", frvsr_model, **{"gan.d_balance": -1000}))
    train.main(tecogan_flags(scenes, tmp_path / "always", frvsr_model, **{"gan.d_balance": 1000}))
    assert [row["discriminator_updated"] for row in logged_rows(tmp_path / "never")] == ["0.0"] * 4
    assert [row["discriminator_updated"] for row in logged_rows(tmp_path / "always")] == ["1.0"] * 4
    for run, changed in (("never", False), ("always", True)):
        early, late = (h5_arrays(tmp_path / run / f"params_0000000{n}.h5") for n in (2, 4))
        weight = "discriminator/disblock_1/conv/W"
        assert (not np.array_equal(early[weight], late[weight])) == changed, run
        assert not np.array_equal(early["tecogan/generator/generator_unit/resblock_1/conv_1/conv/W"],
                                  late["tecogan/generator/generator_unit/resblock_1/conv_1/conv/W"])


def test_stage_hand_over_copies_frvsr_and_zeroes_the_extra_blocks(scenes, frvsr_model, tmp_path):
    train.main(tecogan_flags(scenes, tmp_path / "run", frvsr_model, **{"gan.vgg_scaling": 0,
                                                                        "train.learning_rate": 1e-30}))
    frvsr, tecogan = h5_arrays(frvsr_model), h5_arrays(tmp_path / "run" / "model_param_00000004.h5")
    for name, array in frvsr.items():
        np.testing.assert_allclose(tecogan[name], array, atol=1e-12, err_msg=name)
    extra = [name for name in tecogan if "resblock_3/" in name]
    # zero, moved by lr 1e-30 at most
    assert extra and all(np.abs(tecogan[name]).max() < 1e-20 for name in extra)


@pytest.mark.parametrize(
    "blocks, said",
    [(3, "tecogan: 3 residual blocks (2 from the FRVSR file, 1 starting at zero), "),
     ("null",
      ("tecogan: 16 residual blocks (2 from the FRVSR file, 14 starting at zero; --num_resblock 2 keeps the "
       "FRVSR size), "))])
def test_start_up_line_says_how_many_blocks_come_from_the_frvsr_file(blocks, said, scenes, frvsr_model,
                                                                     tmp_path, capsys):
    train.main(tecogan_flags(scenes, tmp_path / "run", frvsr_model,
                             **{"gan.vgg_scaling": 0, "train.max_iter": 1, "train.num_resblock": blocks}))
    assert said in capsys.readouterr().out


def test_fewer_blocks_than_the_frvsr_file_stop_naming_the_file_s_count(scenes, frvsr_model, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.main(tecogan_flags(scenes, tmp_path / "run", frvsr_model, **{"train.num_resblock": 1}))
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "has 2 residual blocks" in lines[0] and "--num_resblock 2" in lines[0], lines


def test_vgg_disabled_needs_no_vgg_file_and_logs_no_vgg_loss(scenes, frvsr_model, tmp_path):
    flags = tecogan_flags(scenes, tmp_path / "run", frvsr_model, **{"gan.vgg_scaling": -0.002})
    flags[flags.index("--vgg_pre_trained_weights") + 1] = ""
    train.main(flags)
    assert "vgg_loss" not in logged_rows(tmp_path / "run")[0]


@pytest.mark.parametrize("change, message", [
    (("--vgg_pre_trained_weights", ""), "needs --vgg_pre_trained_weights"),
    (("--vgg_pre_trained_weights", reference_path("parity_generate", "weights.h5")), "it is no VGG19 file"),
    (("--pre_trained_frvsr_weights", ""), "starts from an FRVSR model"),
    (("--pre_trained_frvsr_weights", VGG_FIXTURE), "holds no FRVSR generator"),
])
def test_missing_or_wrong_weights_stop_before_training(change, message, scenes, frvsr_model, tmp_path,
                                                       capsys):
    flags = tecogan_flags(scenes, tmp_path / "run", frvsr_model)
    flags[flags.index(change[0]) + 1] = change[1]
    with pytest.raises(SystemExit) as exit_info:
        train.main(flags)
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], lines
    assert not os.path.exists(tmp_path / "run" / "losses.csv")


def test_resume_restores_all_solvers_and_the_balance(scenes, frvsr_model, tmp_path):
    train.main(tecogan_flags(scenes, tmp_path / "once", frvsr_model))
    train.main(tecogan_flags(scenes, tmp_path / "split", frvsr_model, **{"train.max_iter": 2}))
    train.main(tecogan_flags(scenes, tmp_path / "split", frvsr_model))
    once, split = (h5_arrays(tmp_path / run / "params_00000004.h5") for run in ("once", "split"))
    for name in once:
        np.testing.assert_array_equal(once[name], split[name], err_msg=name)
    assert [row["balance"] for row in logged_rows(tmp_path / "once")] == \
        [row["balance"] for row in logged_rows(tmp_path / "split")]


def test_mpirun_two_processes_keep_identical_parameters(scenes, frvsr_model, tmp_path):
    flags = tecogan_flags(scenes, tmp_path / "mpi", frvsr_model)
    flags[flags.index("--batch_size") + 1] = "2"
    mpirun_train(flags)
    rows = logged_rows(tmp_path / "mpi")
    assert len(rows) == 4 and all(np.isfinite(float(row["t_discrim_loss"])) for row in rows)
