"""The quality-target report: judged from saved figures, a missing figure is never "met"."""

import copy

import pytest

from training import targets

PASSING_METRICS = {
    "dcgan-celeba64": {"generated_vs_real": {"fd": 8.5, "recall": 0.52}},
    "wgan-gp-celeba64": {
        "generated_vs_real": {"fd": 8.0, "recall": 0.55},
        "pixel_statistics": {
            "generated": {"mean_luminance": 0.45, "contrast": 0.22, "dark_pixel_share": 0.17},
            "real": {"mean_luminance": 0.446, "contrast": 0.234, "dark_pixel_share": 0.184},
        },
    },
    "vae-celeba64": {"generated_vs_real": {"fd": 70.0, "recall": 0.31}},
    "cvae-gan-celeba64": {
        "generated_vs_real": {"fd": 40.0},
        "references": {"blurred_real": {"fd": 52.9}},
        "cvae_gan": {
            "reconstruction_psnr_db": 21.2,
            "attribute_flip": {
                name: {"strength_1": {"flip_success": 0.8, "others_kept": 0.93}}
                for name in targets.EDITS
            },
            "inpainting": {"lower_face": {"gain_db": 4.0}},
        },
    },
    "infogan-mnist": {
        "infogan": {
            "category_accuracy": 0.996,
            "continuous": {
                "code0": {"digit_kept_sweep": 0.98},
                "code1": {"digit_kept_sweep": 0.975},
            },
        }
    },
}
CONFIGS = {"dcgan-celeba64": {"training": {"cpu_seconds": 2 * 3600 * 1.5}}}  # 1.5 CPU-h
REFERENCE = {"models": {targets.VAE_REFERENCE_ROW: {"fd": 74.3, "recall": 0.0}}}


def test_every_target_is_met_by_figures_that_meet_it():
    checks = targets.check_targets(PASSING_METRICS, CONFIGS, REFERENCE)
    assert len(checks) == 20
    assert [c for c in checks if c.met is not True] == []
    assert "20 of 20 targets met, 0 not measured" in targets.report(checks)


@pytest.mark.parametrize(
    ("path", "value", "target_starts"),
    [
        (("dcgan-celeba64", "generated_vs_real", "fd"), 9.5, "FD ≤ 9"),
        (("wgan-gp-celeba64", "generated_vs_real", "fd"), 8.6, "FD < DCGAN's"),  # DCGAN: 8.5
        (("wgan-gp-celeba64", "pixel_statistics", "generated", "contrast"), 0.19, "contrast"),
        (("vae-celeba64", "generated_vs_real", "fd"), 75.0, "FD ≤ the reference's"),
        (("cvae-gan-celeba64", "generated_vs_real", "fd"), 53.0, "samples' FD"),
        (("infogan-mnist", "infogan", "category_accuracy"), 0.994, "category accuracy"),
    ],
)
def test_one_figure_short_fails_exactly_its_target(path, value, target_starts):
    metrics = copy.deepcopy(PASSING_METRICS)
    node = metrics
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    failed = [c for c in targets.check_targets(metrics, CONFIGS, REFERENCE) if c.met is not True]
    assert [(c.model, c.met) for c in failed] == [(path[0], False)]
    assert failed[0].target.startswith(target_starts)


def test_an_edit_that_takes_but_changes_the_face_fails():
    metrics = copy.deepcopy(PASSING_METRICS)
    flip = metrics["cvae-gan-celeba64"]["cvae_gan"]["attribute_flip"]["Male"]["strength_1"]
    flip["others_kept"] = 0.85
    failed = [c for c in targets.check_targets(metrics, CONFIGS, REFERENCE) if c.met is not True]
    assert [c.target.split()[0] for c in failed] == ["Male"]


def test_missing_figures_are_not_measured_never_met():
    checks = targets.check_targets({}, {}, None)
    assert {c.met for c in checks} == {None}
    assert all(c.now == "not measured" for c in checks)
    # without the reference file the VAE's comparison is unknown, its own recall still judged
    vae = [
        c
        for c in targets.check_targets(PASSING_METRICS, CONFIGS, None)
        if c.model == "vae-celeba64"
    ]
    assert [c.met for c in vae] == [None, None, True]


def test_the_shipped_checkpoints_carry_every_figure_the_targets_need():
    """A stale metrics.json (written before a figure existed) shows up as "not measured"."""
    metrics, configs = targets.load_saved()
    missing = [
        (c.model, c.target)
        for c in targets.check_targets(metrics, configs, REFERENCE)
        if c.met is None
    ]
    assert missing == []
