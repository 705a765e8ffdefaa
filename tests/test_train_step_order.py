"""gan.reference_step_order: the NNabla reference's TecoGAN step order (discriminator forward and update, then
the generator's forward against the updated discriminator), against the parity fixture and the default order.

The fixture holds one forward of the reference; later steps are checked against the reference train.py's
loop written out below with separate forward and backward passes on a second graph."""
import json
import os

import nnabla.solvers as S
import numpy as np
import pytest
from reference_graphs import LOSSES, tecogan_reference_graph, solver_parameters

import train
from utils.distributed import SingleProcess

TECOGAN = train.training_stage(True)
LEARNING_RATE = 1e-3  # large enough that one discriminator update moves the losses far above float noise
DISCRIMINATOR_FREE = ("content_loss", "warp_loss", "vgg_loss")  # losses the discriminator does not enter


def learnable_parameters(scope):
    """Per solver, the parameters it updates, as build_training gives them: not the batch-norm statistics,
    which each forward of the discriminator moves."""
    return {solver: {name: param for name, param in group.items() if param.need_grad}
            for solver, group in solver_parameters(scope).items()}


def adam_solvers(params):
    solvers = {name: S.Adam(alpha=LEARNING_RATE) for name in params}
    for name, solver in solvers.items():
        solver.set_parameters(params[name])
    return solvers


def stepped(reference_order, update_discriminator=True):
    """The x4 fixture graph after one training step in the given order, and its solver parameters."""
    graph, scope = tecogan_reference_graph(4)
    params = learnable_parameters(scope)
    train.training_step(graph, TECOGAN, adam_solvers(params), params, SingleProcess(), update_discriminator,
                        reference_order)
    return graph, params


def copy_values(source, target):
    for name, param in source.items():
        target[name].d = param.d


def expected_losses():
    with open(os.path.join(LOSSES, "losses_x4.json")) as file:
        return json.load(file)["tecogan"]


def test_first_step_scores_the_discriminator_loss_before_its_update_as_the_reference():
    graph, _ = stepped(reference_order=True)
    expected = expected_losses()
    for name in DISCRIMINATOR_FREE + ("t_discrim_loss",):
        assert float(getattr(graph, name).d) == pytest.approx(expected[name], rel=1e-5), name
    assert float(graph.pp_loss.d) == pytest.approx(expected["pp_loss"], abs=1e-6)
    assert float(np.mean(graph.t_discrim_real_loss.d)) == pytest.approx(expected["t_discrim_real_loss_mean"],
                                                                        rel=1e-5)


def test_generator_forward_and_gradient_see_the_updated_discriminator():
    graph, params = stepped(reference_order=True)
    expected = expected_losses()
    # the update moved them (the default order's values)
    for name in ("t_adversarial_loss", "sum_layer_loss"):
        assert abs(float(getattr(graph, name).d) / expected[name] - 1) > 1e-3, name

    # the fixture's generator and flow net with the discriminator after the step: one plain forward and
    # backward
    check, check_scope = tecogan_reference_graph(4)
    check_params = learnable_parameters(check_scope)
    copy_values(params["disc"], check_params["disc"])
    for group in check_params.values():
        for param in group.values():
            param.grad.zero()
    check.fnet_loss.forward()
    check.fnet_loss.backward()
    for name in ("t_adversarial_loss", "sum_layer_loss", "gen_loss", "fnet_loss"):
        assert float(getattr(graph, name).d) == pytest.approx(float(getattr(check, name).d), rel=1e-5), name
    for solver in train.GENERATOR_SOLVERS:
        for name, param in params[solver].items():
            np.testing.assert_allclose(param.g,
                                       check_params[solver][name].g,
                                       rtol=1e-4,
                                       atol=1e-8,
                                       err_msg=name)


def test_both_orders_update_the_discriminator_alike_and_the_generator_differently():
    _, reference_params = stepped(reference_order=True)
    default, default_params = stepped(reference_order=False)
    for name, param in reference_params["disc"].items():
        np.testing.assert_allclose(param.d,
                                   default_params["disc"][name].d,
                                   rtol=1e-5,
                                   atol=1e-7,
                                   err_msg=name)
    assert float(default.t_adversarial_loss.d) == pytest.approx(expected_losses()["t_adversarial_loss"],
                                                                rel=1e-5)
    changed = [name for name, param in reference_params["gen"].items()
               if not np.allclose(param.d, default_params["gen"][name].d, rtol=1e-5, atol=1e-7)]
    assert changed


def test_without_the_update_the_discriminator_stays_and_the_losses_are_the_fixture_s():
    graph, params = stepped(reference_order=True, update_discriminator=False)
    _, fixture_scope = tecogan_reference_graph(4)
    for name, param in learnable_parameters(fixture_scope)["disc"].items():
        np.testing.assert_array_equal(params["disc"][name].d, param.d, err_msg=name)
    expected = expected_losses()
    for name in ("t_adversarial_loss", "sum_layer_loss", "gen_loss", "t_discrim_loss"):
        assert float(getattr(graph, name).d) == pytest.approx(expected[name], rel=1e-5), name


def reference_loop(steps, d_balance, decay):
    """The reference train.py's TecoGAN iterations on the x4 fixture graph, pass by pass: the discriminator
    loss's forward; while the moving average tb < d_balance, its backward (generated frames cut off) and the
    discriminator's update; then fnet_loss's forward and backward and the generator and flow-net updates;
    then tb from mean log D(real) + adversarial loss, the first value only registering the average.
    Returns per step (t_discrim_loss, t_adversarial_loss, gen_loss, tb before the step, updated)."""
    graph, scope = tecogan_reference_graph(4)
    params = learnable_parameters(scope)
    solvers = adam_solvers(params)
    records, tb, shadow = [], 0.0, None
    for _ in range(steps):
        graph.t_discrim_loss.forward()
        # in the reference a part of t_discrim_loss; a node of its own here
        graph.t_discrim_real_loss.forward()
        discriminator_updates = tb < d_balance
        if discriminator_updates:
            solvers["disc"].zero_grad()
            graph.t_gen_output.need_grad = False
            graph.t_discrim_loss.backward()
            graph.t_gen_output.need_grad = True
            solvers["disc"].update()
        solvers["gen"].zero_grad()
        solvers["fnet"].zero_grad()
        graph.fnet_loss.forward()
        graph.fnet_loss.backward()
        solvers["gen"].update()
        solvers["fnet"].update()
        records.append((float(graph.t_discrim_loss.d), float(graph.t_adversarial_loss.d),
                        float(graph.gen_loss.d), tb, discriminator_updates))
        balance = float(np.mean(graph.t_discrim_real_loss.d)) + float(graph.t_adversarial_loss.d)
        if shadow is None:
            shadow = balance
        else:
            shadow = decay * shadow + (1 - decay) * balance
            tb = shadow
    return records


def our_loop(steps, d_balance, decay):
    """train()'s loop body on the same graph: the gate, training_step in the reference order, the balance."""
    graph, scope = tecogan_reference_graph(4)
    params = learnable_parameters(scope)
    solvers = adam_solvers(params)
    balance, records = train.BalanceAverage(decay), []
    for _ in range(steps):
        gate = balance.value
        updated = train.training_step(graph, TECOGAN, solvers, params, SingleProcess(), gate < d_balance,
                                      reference_order=True)
        records.append((float(graph.t_discrim_loss.d), float(graph.t_adversarial_loss.d),
                        float(graph.gen_loss.d), gate, "disc" in updated))
        balance.observe(float(np.mean(graph.t_discrim_real_loss.d)) + float(graph.t_adversarial_loss.d))
    return records


def test_three_steps_follow_the_reference_loop_with_its_balance_and_update_decisions():
    decay = 0.5  # a short average, so that the balance crosses a threshold within three steps
    balance_before_step_3 = reference_loop(3, d_balance=1e9, decay=decay)[2][3]
    assert balance_before_step_3 > 1e-2  # the two updates taught the discriminator to tell real from fake
    # a threshold just below it: steps 1 and 2 (balance 0) update the discriminator, step 3 does not
    d_balance = balance_before_step_3 - 1e-3
    expected, ours = reference_loop(3, d_balance, decay), our_loop(3, d_balance, decay)
    assert [record[4] for record in expected] == [True, True, False]
    assert [record[4] for record in ours] == [record[4] for record in expected]
    for step, (mine, theirs) in enumerate(zip(ours, expected), 1):
        assert mine[:4] == pytest.approx(theirs[:4], rel=1e-5, abs=1e-7), f"step {step}"
