"""Reform proposals in the browser: the registry's proposals (functions moved between levels) priced against a
scenario the viewer sees whole, as `interbudget proposal apply` prices them."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from ..errors import InterbudgetError
from .access import Viewer

TOP = 30


def register(app: FastAPI, site, registry: Path | None, reg) -> None:
    wb = site.wb
    viewer_dep = Depends(site.viewer)
    folder = Path(registry) / "proposals" if registry else None
    files = {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder and folder.is_dir() else {}

    @lru_cache(maxsize=64)  # a proposal against one scenario version never changes
    def priced(name: str, scenario: str, version: int) -> dict:
        from ..functions.proposals import apply, load_proposal
        from ..scenario import validate_scenario

        prop = load_proposal(files[name], reg)
        s = validate_scenario(wb.store.content(scenario, version), f"{scenario} v{version}")
        r = apply(wb.ds, reg, prop, s)
        changed = sorted((b for b in r["budgets"] if abs(b["needs_after"] - b["needs_before"]) > 1e-6),
                         key=lambda b: -abs(b["needs_after"] - b["needs_before"]))
        flags = r["unfunded_mandates"]
        return {"proposal": r["proposal"], "file": files[name].name, "effective_year": prop["effective_year"],
                "fixed_amounts": bool(prop.get("fixed_amounts")), "scenario": scenario, "version": version,
                "moves": r["moves"], "national_needs": r["national_needs"], "budget_years_changed": len(changed),
                "largest_changes": [{k: (float(v) if isinstance(v, float) or hasattr(v, "dtype") else v) for k, v in b.items()}
                                    for b in changed[:TOP]],
                "unfunded_mandates": len(flags), "unfunded_amount": float(sum(f["unfunded"] for f in flags))}

    def _priced(name: str, scenario: str, viewer: Viewer) -> dict:
        if name not in files:
            raise HTTPException(404, f"unknown proposal '{name}'" + (f" (one of {', '.join(files)})" if files else ""))
        v = wb.view(viewer, scenario)
        if v.region is not None:
            raise HTTPException(403, "a proposal is priced for the whole country: only on a scenario you see whole")
        try:
            return priced(name, scenario, v.version)
        except InterbudgetError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get("/api/proposals")
    def api_proposals() -> list[dict]:
        """The registry's reform proposals (functions moved between levels)."""
        return [{"name": n, "file": p.name} for n, p in files.items()]

    @app.get("/api/proposals/{name}")
    def api_proposal(name: str, scenario: str = Query("current-law"), viewer: Viewer = viewer_dep) -> dict:
        """A proposal priced against a scenario: the moves, national needs, the largest changes per budget-year, and
        the unfunded mandates when it is decided after the amounts were fixed (§3.3.1)."""
        return _priced(name, scenario, viewer)

    @app.get("/proposals/{name}", response_class=HTMLResponse, include_in_schema=False)
    def proposal_page(request: Request, name: str, scenario: str = "current-law", lang: str = "en",
                      viewer: Viewer = viewer_dep):
        return site.page(request, "proposal.html", lang, viewer, p=_priced(name, scenario, viewer))

    app.state.proposals = list(files)
