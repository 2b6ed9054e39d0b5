"""Every output of the shipped scenarios on the bundled data is byte-equal to the hashes recorded before a refactor.

When a change is meant to alter an output, rerun `python tests/golden_outputs.py --write` and say why in the commit.
"""
import json

from golden_outputs import STORE, compute


def test_shipped_outputs_are_byte_equal_to_the_recorded_hashes():
    recorded = json.loads(STORE.read_text(encoding="utf-8"))
    now = compute()
    changed = sorted(k for k in recorded.keys() | now.keys() if recorded.get(k) != now.get(k))
    assert not changed, f"outputs differ from tests/golden/outputs.json: {changed[:20]}"
