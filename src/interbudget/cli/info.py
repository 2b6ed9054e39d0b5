"""bundled: where the data shipped with interbudget lives, and the `bundled:` paths that name it."""
from __future__ import annotations

from .. import bundled as data
from ._common import app, out


@app.command()
def bundled() -> None:
    """List the bundled datasets, scenarios and registries (usable anywhere as bundled:PATH) and where they are."""
    out.print(f"bundled data: {data.root()}", highlight=False)
    for name in data.listing():
        out.print(f"  {name}", highlight=False)
