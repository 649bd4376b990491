import os
import subprocess
import sys

import pytest

from core.settings import SettingsError, load_settings


def test_a_nonsense_database_url_names_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "nonsense://")
    with pytest.raises(SettingsError, match=r"^PORTAL_DATABASE_URL: "):
        load_settings()


def test_production_refuses_the_development_secret_key(monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        load_settings()


def test_portal_serve_stops_with_one_line_for_a_bad_setting() -> None:
    env = {**os.environ, "PORTAL_DATABASE_URL": "nonsense://"}
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("portal: PORTAL_DATABASE_URL: ")
    assert "Traceback" not in result.stderr
