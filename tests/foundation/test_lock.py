"""requirements.lock pins what pyproject.toml asks for, and dev.py refuses a stale lock."""

import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import dev  # noqa: E402


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_pins_every_dependency_of_pyproject_exactly() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    pinned = {
        line.split("==")[0].strip().lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert sorted(wanted - pinned) == []
    assert dev.lock_fingerprint() == dev.dependency_fingerprint()


def test_a_lock_made_from_other_dependencies_stops_dev_py(tmp_path, monkeypatch) -> None:
    # given a lock whose fingerprint is not pyproject's
    stale = tmp_path / "requirements.lock"
    stale.write_text("# pyproject-dependencies: 0000000000000000\nstarlette==1.0.0\n")
    monkeypatch.setattr(dev, "LOCK", stale)
    # when / then
    with pytest.raises(SystemExit) as stopped:
        dev.check_lock()
    assert "python3 dev.py lock" in str(stopped.value)


def test_reformatting_pyproject_keeps_the_fingerprint(tmp_path, monkeypatch) -> None:
    original = (ROOT / "pyproject.toml").read_text()
    reordered = original.replace('"pyotp>=2.12",\n', "").replace(
        "dependencies = [\n", 'dependencies = [\n    "pyotp >=2.12",\n', 1
    )
    (tmp_path / "pyproject.toml").write_text(reordered)
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    fingerprint = dev.dependency_fingerprint()
    monkeypatch.setattr(dev, "ROOT", ROOT)
    assert fingerprint == dev.dependency_fingerprint()
