from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_project_catalogue_equals_the_shared_one() -> None:
    shared = ROOT.parent / "shared" / "catalogue.yaml"
    if not shared.is_file():
        pytest.skip("shared/ is not beside the project on this machine")
    ours = yaml.safe_load((ROOT / "knowledge" / "catalogue.yaml").read_text())
    assert ours == yaml.safe_load(shared.read_text())
