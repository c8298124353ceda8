"""GAN Studio: the interactive demo. ``python app.py`` locally; the same file runs as a Space.

The page is built by ``ui`` (one module per tab under ``ui/tabs/``); every event calls a
``ui.studio.Studio`` method. Settings, all optional:

- ``GAN_STUDIO_CHECKPOINTS``: folder of release checkpoints (default ``checkpoints/``);
- ``GAN_STUDIO_HUB_PREFIX``: load ``<prefix>/<name>`` from the Hugging Face Hub instead;
- ``GAN_STUDIO_DEVICE``: ``cpu`` or ``cuda`` (default: CUDA when there is one);
- ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``: where to listen (Spaces sets both);
- ``GAN_STUDIO_SESSIONS``: how many sessions' state the server keeps (default 300).

Language: English or 中文 from the browser's language; switch under Settings (footer) → Language.
"""

from __future__ import annotations

import logging


def create_demo():
    """Apply the process settings, then build the page on the shipped (or Hub) checkpoints."""
    from ui.runtime import configure_process

    configure_process()  # before Gradio creates its queue and threads
    from ui.demo import build_demo
    from ui.studio import Studio

    return build_demo(Studio.from_env())


def main() -> None:
    """Console entry point (``gan-studio``) and ``python app.py``."""
    logging.basicConfig(level=logging.INFO)
    from ui.demo import launch_options, warm_up

    demo, ctx = create_demo()
    demo.launch(prevent_thread_lock=True, **launch_options(ctx.studio))
    warm_up(ctx)
    demo.block_thread()


if __name__ == "__main__":
    main()
