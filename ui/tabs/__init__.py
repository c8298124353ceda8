"""One module per tab, each with ``build(ctx)``: layout and events, logic in ``ui.studio``."""

from ui.tabs import (
    about,
    arithmetic,
    compare,
    infogan,
    inpaint,
    interpolate,
    invert,
    playground,
    sample,
    timeline,
    transfer,
)

#: The tabs in the order the page shows them.
TABS = (
    sample,
    interpolate,
    arithmetic,
    infogan,
    transfer,
    inpaint,
    compare,
    invert,
    playground,
    timeline,
    about,
)
