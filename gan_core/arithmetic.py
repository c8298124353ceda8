"""DCGAN vector arithmetic as the app and the evaluation both do it: the presets, the
attribute rule that decides whether a face "is" a concept, and the judge's score for it.

Kept in the library (not in the app) so ``training.evaluate`` measures exactly what the
Vector-arithmetic tab shows, without importing any UI code.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

#: Exemplars per concept row: the DCGAN paper averaged 3; more cancel what the exemplars do not
#: share (identity, pose), the concept stays. Measured on dcgan-celeba64 (glasses preset, judge,
#: python -m training.evaluate): 3 -> 12 % women with glasses, 30 on the latent shell -> 58 %
#: (0.11.0; 0.8.0: 12 % and 56 %; 0.7.0: 14 % and 70 %).
PAPER_EXEMPLARS = 3
DEFAULT_EXEMPLARS = 30
MAX_EXEMPLARS = 50

Rule = dict[str, int]

#: Vector-arithmetic presets: three concept rows, each a set of attribute conditions for the
#: judge (1 = has it, 0 = does not), in the DCGAN paper's "A - B + C" order.
ARITHMETIC_PRESETS: dict[str, tuple[Rule, Rule, Rule]] = {
    # man with glasses - man without glasses + woman without glasses = woman with glasses
    "glasses": (
        {"Male": 1, "Eyeglasses": 1},
        {"Male": 1, "Eyeglasses": 0},
        {"Male": 0, "Eyeglasses": 0},
    ),
    # smiling woman - neutral woman + neutral man = smiling man
    "smiling": ({"Male": 0, "Smiling": 1}, {"Male": 0, "Smiling": 0}, {"Male": 1, "Smiling": 0}),
}


def matches(columns: list[str], values: torch.Tensor, rule: Rule) -> torch.Tensor:
    """Which rows of ``values`` (judge probabilities or 0/1 labels, one column per name in
    ``columns``) fit ``rule`` (1 = has the attribute, above one half; 0 = has not)."""
    ok = torch.ones(len(values), dtype=torch.bool)
    for attribute, wanted in rule.items():
        has = values[:, columns.index(attribute)] > 0.5
        ok &= has if wanted else ~has
    return ok


def judge_scores(
    judge: torch.nn.Module, images: torch.Tensor, rules: Sequence[Rule]
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per rule and image: the log-probability (by the attribute judge) that the image
    matches the rule, and whether the judge sees every condition (``matches``)."""
    classes = list(judge.config.classes)
    probs = judge.predict(images).clamp(1e-6, 1 - 1e-6)
    out = []
    for rule in rules:
        score = torch.zeros(len(images))
        for attribute, wanted in rule.items():
            if attribute not in classes:
                raise ValueError(f"the judge does not know the attribute {attribute!r}")
            p = probs[:, classes.index(attribute)]
            score += torch.log(p if wanted else 1 - p)
        out.append((score, matches(classes, probs, rule)))
    return out
