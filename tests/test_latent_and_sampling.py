import math

import pytest
import torch

from gan_core import latent, sampling


def test_slerp_hits_both_ends_and_keeps_norm():
    g = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(100, generator=g), torch.randn(100, generator=g)
    path = latent.interpolate(z0, z1, 9, "slerp")
    assert path.shape == (9, 100)
    torch.testing.assert_close(path[0], z0)
    torch.testing.assert_close(path[-1], z1, atol=1e-5, rtol=1e-5)
    # slerp between equal-norm latents stays on the sphere; lerp dips towards the origin
    z1 = z1 / z1.norm() * z0.norm()
    s = latent.interpolate(z0, z1, 9, "slerp").norm(dim=1)
    line = latent.interpolate(z0, z1, 9, "lerp").norm(dim=1)
    torch.testing.assert_close(s, torch.full_like(s, float(z0.norm())), atol=1e-4, rtol=1e-4)
    assert line[4] < 0.9 * z0.norm()


def test_interpolate_rejects_bad_arguments():
    z = torch.zeros(4)
    with pytest.raises(ValueError, match="at least 2"):
        latent.interpolate(z, z, 1)
    with pytest.raises(ValueError, match="slerp"):
        latent.interpolate(z, z, 3, "cubic")


def test_to_shell_restores_the_typical_length_of_an_average():
    z = torch.randn(100, 128, generator=torch.Generator().manual_seed(0))
    mean = latent.concept_vector(z)
    assert mean.norm() < 0.2 * 128**0.5  # an average of 100 latents sits near the origin
    shelled = latent.to_shell(mean)
    torch.testing.assert_close(shelled.norm(), torch.tensor(128**0.5))
    torch.testing.assert_close(shelled / shelled.norm(), mean / mean.norm())  # same direction
    batch = latent.to_shell(z[:4] * 3)
    torch.testing.assert_close(batch.norm(dim=1), torch.full((4,), 128**0.5))


def test_arithmetic_and_truncation():
    a, b, c = torch.ones(3), torch.full((3,), 2.0), torch.full((3,), 5.0)
    torch.testing.assert_close(latent.vector_arithmetic(a, b, c), torch.full((3,), 4.0))
    torch.testing.assert_close(latent.concept_vector(a, b, c), torch.full((3,), 8 / 3))
    torch.testing.assert_close(latent.truncate(c, 0.5), torch.full((3,), 2.5))
    with pytest.raises(ValueError):
        latent.truncate(c, 1.5)
    grid = latent.jitter(a, 9, 0.1, torch.Generator().manual_seed(1))
    assert grid.shape == (9, 3) and torch.equal(grid[0], a) and not torch.equal(grid[1], a)


def test_seeds_are_checked_and_parsed():
    assert sampling.parse_seeds("0-3,7") == [0, 1, 2, 3, 7]
    assert sampling.check_seed(5.0) == 5
    for bad in (-1, 2**32, math.nan, math.inf, 1.5, "x"):
        with pytest.raises(ValueError):
            sampling.check_seed(bad)
    z1 = sampling.latents_from_seeds([3, 4], 8)
    z2 = sampling.latents_from_seeds([4], 8)
    torch.testing.assert_close(z1[1], z2[0])  # a seed gives the same latent in any batch


def test_to_uint8_and_grid():
    images = torch.rand(5, 1, 8, 8)
    arrays = sampling.to_uint8(images)
    assert arrays.shape == (5, 8, 8, 3) and arrays.dtype.name == "uint8"
    grid = sampling.image_grid(images, nrow=5, padding=2)
    assert grid.shape == (12, 52, 3)
