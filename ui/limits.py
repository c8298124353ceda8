"""The app's named limits: the sliders' ranges and the Studio's input checks read the same
values, so a slider can never offer what the server then refuses."""

from __future__ import annotations

from typing import NamedTuple


class Range(NamedTuple):
    """An inclusive range with the default a widget starts at and its step."""

    low: float
    high: float
    default: float
    step: float = 1


#: Sample tab: images per grid; Compare tab: images per model.
IMAGES = Range(1, 64, 16)
COMPARE_IMAGES = Range(1, 36, 16)
TRUNCATION = Range(0, 1, 1.0, 0.05)
#: Interpolation frames and the candidate gallery.
FRAMES = Range(2, 48, 10)
CANDIDATES = Range(4, 32, 16)
#: Vector arithmetic: faces in the pick gallery, noise around the result.
GALLERY = Range(9, 64, 32)
NOISE_SLIDER = Range(0, 1, 0.25, 0.05)
MAX_NOISE = 2.0  # through the API
#: InfoGAN: the sliders cover the codes' training range and a little beyond; the API allows more.
CODE_SLIDER = Range(-2, 2, 0, 0.05)
MAX_CODE_VALUE = 5.0
SWEEP_STEPS = Range(2, 16, 7)
#: CVAE-GAN attribute edits: 0 = reconstruction, 1 = the plain condition, above 1 extrapolated.
EDIT_STRENGTH_STEP = 0.25
MAX_EDIT_STRENGTH = 3.0
#: Inpainting refinement steps; DCGAN inversion steps (the slider starts at 10: 0 is API-only).
INPAINT_STEPS = Range(0, 200, 60, 10)
INVERSION_STEPS = Range(10, 500, 120, 10)
#: Concept strength in Edit your photo: the slider's range; the API allows up to MAX_STRENGTH.
CONCEPT_STRENGTH = Range(-3, 3, 1.5, 0.1)
MAX_STRENGTH = 5.0
#: Uploads: bytes per file (Gradio) and pixels per image (gan_core.edit decodes safely).
MAX_UPLOAD = "10mb"
