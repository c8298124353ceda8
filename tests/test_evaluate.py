"""The evaluation module's measurements on toy models whose right answers are known."""

from __future__ import annotations

import types

import pytest
import torch

from training import evaluate
from training.data import ImageData
from training.evaluate import (
    arithmetic_target,
    dcgan_arithmetic,
    ideal_linear_arithmetic,
    judge_on_real_concept,
    matches,
    precision_recall,
    psnr,
)

WOMAN_WITH_GLASSES = {"Male": 0, "Eyeglasses": 1}


class ChannelJudge:
    """Reads "Male" from the red channel and "Eyeglasses" from the green one."""

    config = types.SimpleNamespace(classes=["Male", "Eyeglasses"])

    def predict(self, images: torch.Tensor) -> torch.Tensor:
        return images[:, :2].mean((2, 3)).clamp(0.05, 0.95)


class LinearFaces:
    """A generator whose attributes are half-spaces of z: male if z0 > 0, glasses if z1 > 1.5
    (rare, as in CelebA). Vector arithmetic works on it by construction."""

    z_dim = 8

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        images = torch.zeros(len(z), 3, 4, 4)
        images[:, 0] = (z[:, 0] > 0).float()[:, None, None]
        images[:, 1] = (z[:, 1] > 1.5).float()[:, None, None]
        return images


def test_success_rule_needs_both_attributes():
    probs = torch.tensor([[0.1, 0.9], [0.9, 0.9], [0.1, 0.1], [0.6, 0.6]])
    ok = matches(ChannelJudge.config.classes, probs, WOMAN_WITH_GLASSES)
    assert ok.tolist() == [True, False, False, False]


def test_targets_are_the_arithmetic_of_the_rows():
    assert arithmetic_target("glasses") == WOMAN_WITH_GLASSES
    assert arithmetic_target("smiling") == {"Male": 1, "Smiling": 1}


def test_a_preset_that_does_not_add_up_is_refused(monkeypatch):
    rows = ({"Male": 1}, {"Male": 0}, {"Male": 1})  # 1 - 0 + 1 = 2: not a concept
    monkeypatch.setitem(evaluate.ARITHMETIC_PRESETS, "broken", rows)
    with pytest.raises(ValueError, match="does not add up"):
        arithmetic_target("broken")


def test_arithmetic_succeeds_where_the_latent_is_linear():
    result = dcgan_arithmetic(LinearFaces(), ChannelJudge(), trials=200, pool=2000)
    base = result["base_rate_random_samples"]
    assert 0.01 < base < 0.06  # P(z0 < 0, z1 > 1.5) = 0.5 * 0.067
    assert result["success_rate"] > 0.5 > 10 * base
    assert result["target"] == WOMAN_WITH_GLASSES
    assert result["exemplar_counts"]["A"] > 30  # men with glasses


def test_arithmetic_fails_where_glasses_come_with_maleness():
    class Entangled(LinearFaces):
        """Glasses turn every face male, as a generator trained on CelebA's men may learn."""

        def generate(self, z):
            images = super().generate(z)
            images[:, 0] = torch.maximum(images[:, 0], images[:, 1])
            return images

    result = dcgan_arithmetic(Entangled(), ChannelJudge(), trials=50, pool=2000)
    assert result["base_rate_random_samples"] == 0
    assert result["success_rate"] == 0


def test_arithmetic_reports_too_few_exemplars():
    class NoGlasses(LinearFaces):
        def generate(self, z):
            images = super().generate(z)
            images[:, 1] = 0
            return images

    result = dcgan_arithmetic(NoGlasses(), ChannelJudge(), pool=200)
    assert result["error"] == "too few exemplars"
    assert result["counts"]["A"] == 0


def test_real_photo_reference_uses_the_labels_and_the_same_rule():
    # four photos labelled (male, glasses); two are women with glasses, and the judge (reading
    # the pixels) sees only the first of those two as one
    pixels = torch.tensor([[0, 255], [255, 255], [0, 255], [0, 0]], dtype=torch.uint8)
    images = pixels[:, :, None, None].expand(4, 2, 4, 4)
    images = torch.cat([images, torch.zeros(4, 1, 4, 4, dtype=torch.uint8)], 1)
    labels = torch.tensor([[0, 1], [0, 1], [1, 1], [0, 0]])
    holdout = ImageData(images, attributes=labels, attribute_names=["Male", "Eyeglasses"])
    ref = judge_on_real_concept(ChannelJudge(), holdout, WOMAN_WITH_GLASSES)
    assert ref == {
        "images": 2,
        "success_rate": 0.5,
        "judge_agrees": {"Male": 0.5, "Eyeglasses": 1.0},
    }
    none = ImageData(images[3:], attributes=labels[3:], attribute_names=["Male", "Eyeglasses"])
    assert judge_on_real_concept(ChannelJudge(), none, WOMAN_WITH_GLASSES) == {"images": 0}


def test_precision_recall_expose_collapse():
    real = torch.randn(400, 5, generator=torch.Generator().manual_seed(0))
    assert precision_recall(real, real) == (1.0, 1.0)
    collapsed = real[:5].repeat(80, 1) + 1e-3  # every fake is one of five real faces
    precision, recall = precision_recall(real, collapsed)
    assert precision == 1.0
    assert recall < 0.1


def test_psnr_known_values():
    a = torch.zeros(2, 3, 4, 4)
    assert psnr(a + 0.1, a) == pytest.approx(20.0, abs=1e-4)
    mask = torch.zeros(1, 1, 4, 4)
    mask[..., :2, :] = 1
    b = a.clone()
    b[..., 2:, :] = 1.0  # wrong only outside the mask
    b[..., :2, :] = 0.01
    assert psnr(b, a, mask) == pytest.approx(40.0, abs=1e-4)


def test_many_exemplars_need_the_shell_when_the_centre_is_male():
    """A generator whose faces near the latent origin are all male (its "mean face"): an
    average of many exemplars lands there unless it is rescaled to the shell."""

    class MaleCentre(LinearFaces):
        z_dim = 64  # many latent dimensions, as in a real generator

        def generate(self, z):
            images = super().generate(z)
            near_centre = z.norm(dim=1) < 0.5 * self.z_dim**0.5
            images[near_centre, 0] = 1
            return images

    plain = dcgan_arithmetic(MaleCentre(), ChannelJudge(), exemplars=30, trials=50, pool=3000)
    shelled = dcgan_arithmetic(
        MaleCentre(), ChannelJudge(), exemplars=30, shell=True, trials=50, pool=3000
    )
    assert plain["exemplars"] == 30 and shelled["shell"]
    assert plain["success_rate"] < 0.1
    assert shelled["success_rate"] > 0.5


def _labels(male_rate: float, glasses_if_male: float, glasses_if_female: float, n: int = 20000):
    """0/1 labels (Male, Eyeglasses) with exactly these rates."""
    male = torch.arange(n) < round(male_rate * n)
    glasses = torch.zeros(n, dtype=torch.bool)
    men, women = torch.nonzero(male).flatten(), torch.nonzero(~male).flatten()
    glasses[men[: round(glasses_if_male * len(men))]] = True
    glasses[women[: round(glasses_if_female * len(women))]] = True
    return torch.stack([male, glasses], 1).float(), ["Male", "Eyeglasses"]


def test_ideal_latent_succeeds_when_glasses_do_not_depend_on_sex():
    labels, names = _labels(0.5, 0.5, 0.5)
    result = ideal_linear_arithmetic(labels, names, trials=400, pool=20000)
    assert result["exemplars"] == 3 and not result["shell"]
    assert result["success_rate"] > 0.75


def test_ideal_latent_shows_why_few_exemplars_miss_rare_glasses_on_women():
    """CelebA's rates (12 % of men, 3 % of women wear glasses): the A - B offset that puts
    glasses on a man falls short of the women's boundary, so 3 random exemplars mostly miss,
    while many exemplars on the shell carry the direction all the way."""
    labels, names = _labels(0.42, 0.124, 0.026)
    few = ideal_linear_arithmetic(labels, names, trials=400, pool=20000)
    many = ideal_linear_arithmetic(labels, names, "glasses", 30, shell=True, trials=400)
    assert 0.2 < few["success_rate"] < 0.55
    assert many["success_rate"] > 0.95


def test_ideal_latent_reads_the_preset_attributes_by_name():
    labels, names = _labels(0.5, 0.3, 0.3)
    shuffled = labels[:, [1, 0]], ["Eyeglasses", "Male"]  # column order must not matter
    a = ideal_linear_arithmetic(labels, names, trials=200, pool=20000)
    b = ideal_linear_arithmetic(*shuffled, trials=200, pool=20000)
    assert a == b
    with pytest.raises(ValueError):
        ideal_linear_arithmetic(labels, ["Male", "Smiling"], trials=10)  # no Eyeglasses column


def test_card_explains_the_ideal_figure_with_the_groups_rates():
    from training.model_card import ideal_why

    labels, names = _labels(0.42, 0.124, 0.026)
    ideal = ideal_linear_arithmetic(labels, names, trials=20, pool=5000)
    assert ideal["concept_rate_by_group"] == {"0": 0.026, "1": 0.124}
    why = ideal_why("glasses", ideal)
    assert "Eyeglasses is on 12% of the faces with Male = 1 and 3% of those with Male = 0" in why
    assert ideal_why("glasses", {"success_rate": 0.4}) == ""  # older metrics files


def test_code_sweep_counts_digits_that_change_beyond_the_training_range():
    """A fake InfoGAN whose digit flips where |code0| > 1.5 and never for code1: the ±1 check
    sees nothing wrong, the -2…2 sweep does."""

    def generate(z, category, continuous):
        return continuous[:, :1].clone().view(-1, 1, 1, 1).expand(-1, 1, 2, 2)

    def predict(images):
        flipped = images[:, 0, 0, 0].abs() > 1.5
        return torch.nn.functional.one_hot(flipped.long(), 10).float()

    model = types.SimpleNamespace(z_dim=3, n_categories=10, n_continuous=2, generate=generate)
    judge = types.SimpleNamespace(predict=predict)
    effects = evaluate.infogan_continuous_effect(model, judge, n=8)
    assert effects["code0"]["digit_kept"] == 1.0
    assert effects["code0"]["digit_kept_sweep"] == round(7 / 9, 3)  # -2 and 2 change it
    assert effects["code0"]["digit_kept_whole_sweep"] == 0.0
    assert effects["code1"]["digit_kept_sweep"] == effects["code1"]["digit_kept_whole_sweep"] == 1
