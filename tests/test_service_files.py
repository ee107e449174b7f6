"""The service files in docs/ start `tlvault watch` and treat its clean stop (130) as success."""

from __future__ import annotations

import configparser
import plistlib

from tests.conftest import REPO


def test_the_systemd_unit_runs_the_watcher() -> None:
    unit = configparser.ConfigParser(interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(REPO / "docs" / "tlvault-watch.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].split()[1:] == ["watch", "%h/Notes"]
    assert service["SuccessExitStatus"] == "130"
    assert service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "default.target"


def test_the_launchd_agent_runs_the_watcher() -> None:
    with (REPO / "docs" / "com.tlvault.watch.plist").open("rb") as handle:
        agent = plistlib.load(handle)
    assert agent["Label"] == "com.tlvault.watch"
    assert agent["ProgramArguments"][1:] == ["watch", "/Users/me/Notes"]
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
