"""The ping-pong sequence and its loss (losses.py), on hand-built sequences."""
import nnabla as nn
import numpy as np
import pytest

from losses import ping_pong, ping_pong_loss


def test_ping_pong_runs_forward_then_back_without_repeating_the_last_frame():
    sequence = np.arange(2 * 4, dtype=np.float32).reshape(2, 4, 1)
    result = ping_pong(nn.Variable.from_numpy_array(sequence))
    result.forward()
    np.testing.assert_array_equal(result.d[:, :, 0], sequence[:, [0, 1, 2, 3, 2, 1, 0], 0])


def test_ping_pong_loss_compares_each_frame_with_its_mirror_only():
    outputs = np.ones((2, 7, 4, 5, 3), np.float32)  # a ping-pong sequence of T = 4 frames
    outputs[:, 3] = 9  # the turning frame, met once: no term
    outputs[0, 5] += 3  # the mirror of frame 1, in sample 0: |3| over 1 of the 2 x 3 compared frames
    loss = ping_pong_loss(nn.Variable.from_numpy_array(outputs))
    loss.forward()
    assert float(loss.d) == pytest.approx(3 / 6)
