"""Local embeddings: all-MiniLM-L6-v2 from its package, offline."""

from __future__ import annotations

import numpy as np
import pytest

from aie.embed import embed


def test_shape_and_normalisation():
    v = embed(["a cat sat on the mat", "a kitten rested on the rug", "quarterly revenue fell"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_same_text_same_vector_and_batching_does_not_change_it():
    texts = [f"sentence number {i} about topic {i % 7}" for i in range(100)]
    a = embed(texts, batch_size=8)
    b = embed(texts, batch_size=64)
    assert np.allclose(a, b, atol=1e-5)


def test_empty_list_gives_an_empty_matrix():
    assert embed([]).shape == (0, 384)


@pytest.mark.parametrize("bad", ["just a string", [1, 2], ["ok", None]])
def test_bad_input_is_rejected(bad):
    with pytest.raises(ValueError):
        embed(bad)
