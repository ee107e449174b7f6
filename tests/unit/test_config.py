"""load_config and default_config: defaults, a full file, invalid values, unknown keys, output_folder."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tlvault.config import Config, JournalConfig, default_config, load_config
from tlvault.errors import ConfigError
from tlvault.results import SIGNALS

MakeVault = Callable[[Mapping[str, str | bytes]], Path]

FIX = "use a folder inside the vault, such as 'tlvault'"
SYMLINK_FIX = "remove it or set another output_folder"


@pytest.fixture
def vault(make_vault: MakeVault) -> Path:
    """An empty vault at <tmp>/vault."""
    return make_vault({})


def write_config(folder: Path, text: str, name: str = "config.yaml") -> Path:
    """Write a config file into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(path: Path, vault: Path | None = None) -> list[str]:
    """The lines of the ConfigError that loading `path` raises."""
    with pytest.raises(ConfigError) as info:
        load_config(path, vault=vault)
    return str(info.value).splitlines()


def tree(folder: Path) -> list[str]:
    """Every path under `folder` (symlinks not followed), sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# -- defaults -----------------------------------------------------------------------------


def test_default_config_has_every_default(vault: Path) -> None:
    config = default_config(vault)
    assert config == Config(
        vault=vault,
        output_folder="tlvault",
        language="auto",
        exclude=(),
        max_note_bytes=5_000_000,
        jobs=0,
        journal=JournalConfig(tags=("journal", "daily"), folders=("Journal", "Daily"), date_names=True),
        source=None,
    )
    assert config.output_path == vault / "tlvault"


def test_default_config_makes_a_relative_vault_absolute(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(vault.parent)
    assert default_config(Path("vault")).vault == vault


def test_default_config_expands_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_config(Path("~/Notes")).vault == tmp_path / "home" / "Notes"


def test_default_config_refuses_a_tlvault_symlink_leading_outside(
    vault: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (vault / "tlvault").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError) as info:
        default_config(vault)
    assert (
        str(info.value) == f"output_folder 'tlvault' leads outside the vault through a symlink; {SYMLINK_FIX}"
    )
    assert list(outside.iterdir()) == []


def test_config_is_frozen(vault: Path) -> None:
    config = default_config(vault)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.jobs = 3  # type: ignore[misc]


def test_empty_file_with_a_vault_override_gives_the_defaults(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "")
    assert load_config(path, vault=vault) == dataclasses.replace(default_config(vault), source=path)


def test_comment_only_file_with_vault_gives_the_defaults(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "# my vault\nvault: vault  # relative to this file\n")
    assert load_config(path) == dataclasses.replace(default_config(vault), source=path)


# -- a full valid file ---------------------------------------------------------------------


def test_full_valid_file(tmp_path: Path, vault: Path) -> None:
    path = write_config(
        tmp_path,
        "vault: vault\n"
        "output_folder: _tlvault\n"
        "language: fr\n"
        "exclude:\n"
        "  - Templates/**\n"
        "  - '*.excalidraw.md'\n"
        "max_note_bytes: 1000000\n"
        "jobs: 2\n"
        "journal:\n"
        "  tags: [journal, quotidien]\n"
        "  folders: [Journal]\n"
        "  date_names: false\n",
    )
    assert load_config(path) == Config(
        vault=vault,
        output_folder="_tlvault",
        language="fr",
        exclude=("Templates/**", "*.excalidraw.md"),
        max_note_bytes=1_000_000,
        jobs=2,
        journal=JournalConfig(tags=("journal", "quotidien"), folders=("Journal",), date_names=False),
        source=path,
    )


@pytest.mark.parametrize("language", ["auto", "fr", "en"])
def test_every_language_is_accepted(tmp_path: Path, vault: Path, language: str) -> None:
    path = write_config(tmp_path, f"vault: vault\nlanguage: {language}\n")
    assert load_config(path).language == language


def test_exclude_may_be_one_text(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "vault: vault\nexclude: Templates/**\n")
    assert load_config(path).exclude == ("Templates/**",)


def test_partial_journal_keeps_the_other_defaults(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "vault: vault\njournal:\n  folders: [Jour]\n")
    assert load_config(path).journal == JournalConfig(
        tags=("journal", "daily"), folders=("Jour",), date_names=True
    )


# -- the vault key -------------------------------------------------------------------------


def test_relative_vault_is_resolved_against_the_config_folder(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path / "settings", "vault: ../vault\n")
    monkeypatch.chdir(vault / ".obsidian")  # the working directory must not matter
    config = load_config(path)
    assert config.vault.is_absolute()
    assert os.path.normpath(config.vault) == str(vault)
    assert config.source == path


def test_relative_vault_in_the_same_folder(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, "vault: vault\n")
    monkeypatch.chdir(vault / ".obsidian")
    assert load_config(path).vault == vault


def test_vault_with_home_and_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NOTES_ROOT", str(tmp_path / "data"))
    assert load_config(write_config(tmp_path, "vault: ~/Notes\n")).vault == tmp_path / "home" / "Notes"
    assert (
        load_config(write_config(tmp_path, "vault: $NOTES_ROOT/Notes\n")).vault == tmp_path / "data" / "Notes"
    )


def test_vault_override_replaces_the_file_key(tmp_path: Path, vault: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    path = write_config(tmp_path, "vault: vault\nlanguage: en\n")
    config = load_config(path, vault=other)
    assert config.vault == other
    assert config.language == "en"


def test_vault_override_when_the_file_has_no_vault(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "language: fr\n")
    assert load_config(path, vault=vault).vault == vault


def test_relative_vault_override_is_made_absolute(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path / "settings", "vault: elsewhere\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(path, vault=Path("vault")).vault == vault


def test_missing_vault_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, "language: fr\n")
    assert error_lines(path) == [
        "config.yaml: vault is missing; set it to your vault folder, e.g. `vault: ~/Notes`"
    ]


@pytest.mark.parametrize(("value", "shown"), [('""', "''"), ("3", "3"), ("[a, b]", "['a', 'b']")])
def test_vault_that_is_not_a_path(tmp_path: Path, value: str, shown: str) -> None:
    path = write_config(tmp_path, f"vault: {value}\n")
    assert error_lines(path) == [f"config.yaml: vault must be a folder path, got {shown}"]


# -- invalid values: one exact line each ----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("language: de", "config.yaml: language must be one of auto, fr, en, got 'de'"),
        ("language: FR", "config.yaml: language must be one of auto, fr, en, got 'FR'"),
        ("max_note_bytes: three", "config.yaml: max_note_bytes must be a positive integer, got 'three'"),
        ("max_note_bytes: 0", "config.yaml: max_note_bytes must be a positive integer, got 0"),
        ("max_note_bytes: -1", "config.yaml: max_note_bytes must be a positive integer, got -1"),
        ("max_note_bytes: true", "config.yaml: max_note_bytes must be a positive integer, got True"),
        ("max_note_bytes: 2.5", "config.yaml: max_note_bytes must be a positive integer, got 2.5"),
        ("jobs: -1", "config.yaml: jobs must be an integer, 0 or more, got -1"),
        ("jobs: two", "config.yaml: jobs must be an integer, 0 or more, got 'two'"),
        ("jobs: false", "config.yaml: jobs must be an integer, 0 or more, got False"),
        ("exclude: 3", "config.yaml: exclude must be a list of texts, got 3"),
        (
            "exclude: {Templates: yes}",
            "config.yaml: exclude must be a list of texts, got {'Templates': True}",
        ),
        (
            "exclude: [Templates/**, 3]",
            "config.yaml: exclude must be a list of texts, got ['Templates/**', 3]",
        ),
        ("exclude: ['']", "config.yaml: exclude must be a list of texts, got ['']"),
        ("journal: [journal]", "config.yaml: journal must be a mapping with tags, folders and date_names"),
        ("journal: daily", "config.yaml: journal must be a mapping with tags, folders and date_names"),
        ("journal: {date_names: 'yes'}", "config.yaml: journal.date_names must be true or false, got 'yes'"),
        ("journal: {date_names: 1}", "config.yaml: journal.date_names must be true or false, got 1"),
        (
            "journal: {tags: [journal, 2]}",
            "config.yaml: journal.tags must be a list of texts, got ['journal', 2]",
        ),
        ("journal: {folders: 7}", "config.yaml: journal.folders must be a list of texts, got 7"),
        ('output_folder: ""', "config.yaml: output_folder must be a non-empty text, got ''"),
        ("output_folder: '   '", "config.yaml: output_folder must be a non-empty text, got '   '"),
        ("output_folder: 2024", "config.yaml: output_folder must be a non-empty text, got 2024"),
    ],
)
def test_invalid_value_names_the_key_and_the_fix(
    tmp_path: Path, vault: Path, line: str, message: str
) -> None:
    path = write_config(tmp_path, f"vault: vault\n{line}\n")
    assert error_lines(path) == [message]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "language: de\n"
        "max_note_bytes: three\n"
        "jobs: -1\n"
        "exclude: 3\n"
        "output_folder: ''\n"
        "journal:\n"
        "  date_names: 'yes'\n",
    )
    lines = error_lines(path)
    assert sorted(lines) == sorted(
        [
            "config.yaml: vault is missing; set it to your vault folder, e.g. `vault: ~/Notes`",
            "config.yaml: language must be one of auto, fr, en, got 'de'",
            "config.yaml: max_note_bytes must be a positive integer, got 'three'",
            "config.yaml: jobs must be an integer, 0 or more, got -1",
            "config.yaml: exclude must be a list of texts, got 3",
            "config.yaml: output_folder must be a non-empty text, got ''",
            "config.yaml: journal.date_names must be true or false, got 'yes'",
        ]
    )


def test_problems_of_a_valid_vault_and_a_bad_output_folder_are_reported_together(
    tmp_path: Path, vault: Path
) -> None:
    path = write_config(tmp_path, "vault: vault\noutput_folder: ../elsewhere\njobs: many\n")
    assert sorted(error_lines(path)) == [
        "config.yaml: jobs must be an integer, 0 or more, got 'many'",
        f"config.yaml: output_folder '../elsewhere' leads outside the vault; {FIX}",
    ]


# -- unknown keys: warnings, not errors -----------------------------------------------------


def test_unknown_key_is_a_warning_with_a_hint(
    tmp_path: Path, vault: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, "vault: vault\noutptu_folder: _out\n")
    config = load_config(path)
    assert config.output_folder == "tlvault"
    assert [(r.name, r.levelno, r.getMessage()) for r in tlvault_logs.records] == [
        (
            "tlvault.config",
            logging.WARNING,
            "config.yaml: unknown key 'outptu_folder' is ignored; did you mean 'output_folder'?",
        )
    ]


def test_unknown_keys_without_a_close_match_have_no_hint(
    tmp_path: Path, vault: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, "vault: vault\nzzz: 1\nlangage: fr\n")
    assert load_config(path).language == "auto"
    assert [r.getMessage() for r in tlvault_logs.records if r.levelno == logging.WARNING] == [
        "config.yaml: unknown key 'langage' is ignored; did you mean 'language'?",
        "config.yaml: unknown key 'zzz' is ignored",
    ]


def test_unknown_key_does_not_hide_real_errors(
    tmp_path: Path, vault: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, "vault: vault\njbos: 2\njobs: -2\n")
    assert error_lines(path) == ["config.yaml: jobs must be an integer, 0 or more, got -2"]
    assert [r.getMessage() for r in tlvault_logs.records] == [
        "config.yaml: unknown key 'jbos' is ignored; did you mean 'jobs'?"
    ]


def test_source_is_not_a_settable_key(
    tmp_path: Path, vault: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, "vault: vault\nsource: /etc/passwd\n")
    assert load_config(path).source == path
    assert [r.getMessage() for r in tlvault_logs.records] == ["config.yaml: unknown key 'source' is ignored"]


def test_unknown_journal_key_is_a_warning_with_a_hint(
    tmp_path: Path, vault: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, "vault: vault\njournal:\n  date_name: false\n")
    assert load_config(path).journal == JournalConfig()
    messages = [r.getMessage() for r in tlvault_logs.records if r.levelno == logging.WARNING]
    assert len(messages) == 1
    assert messages[0].startswith("config.yaml: unknown key 'journal.date_name' is ignored; did you mean '")
    assert messages[0].endswith("date_names'?")


# -- unreadable files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("vault: vault\nlanguage: fr\n  bad: indent\noutput_folder: x\n", 3),
        ("vault: vault\nexclude: [Templates/**\n", 2),
        ("vault: vault\nexclude: [Templates/**\njobs: 2\n", 2),  # the line that opened `[`
        ("vault: vault\n\tjobs: 2\n", 2),
        ("vault: 'vault\n", 1),
    ],
)
def test_invalid_yaml_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = write_config(tmp_path, text)
    assert error_lines(path) == [f"config.yaml: not valid YAML at line {line}; fix the syntax"]


@pytest.mark.parametrize("text", ["- vault\n- fr\n", "just a sentence\n", "42\n"])
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = write_config(tmp_path, text)
    assert error_lines(path) == ["config.yaml: must be a mapping of `key: value` lines"]


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert error_lines(path) == [
        f"{path}: config file not found (check the path, or pass the vault folder instead)"
    ]


def test_config_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"vault: caf\xe9\n")
    lines = error_lines(path)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: cannot read the config file (")


def test_config_path_that_is_a_folder(tmp_path: Path) -> None:
    lines = error_lines(tmp_path)
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path}: cannot read the config file (")


# -- output_folder must stay inside the vault (FAULTS S10) --------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("../elsewhere", "'../elsewhere' leads outside the vault"),
        ("a/../..", "'a/../..' leads outside the vault"),
        ("notes/../../x", "'notes/../../x' leads outside the vault"),
        (".", "'.' is the vault root"),
        ("./", "'./' is the vault root"),
        ("a/..", "'a/..' is the vault root"),
        (".obsidian", "'.obsidian' is a hidden folder, which Obsidian does not show"),
        (".trash", "'.trash' is a hidden folder, which Obsidian does not show"),
        ("out/.hidden", "'out/.hidden' is a hidden folder, which Obsidian does not show"),
    ],
)
def test_output_folder_outside_or_hidden_is_refused(
    tmp_path: Path, vault: Path, value: str, reason: str
) -> None:
    path = write_config(tmp_path, f"vault: vault\noutput_folder: '{value}'\n")
    assert error_lines(path) == [f"config.yaml: output_folder {reason}; {FIX}"]
    assert tree(vault) == [".obsidian"]


def test_output_folder_empty_is_refused(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "vault: vault\noutput_folder: ''\n")
    assert error_lines(path) == ["config.yaml: output_folder must be a non-empty text, got ''"]


def test_output_folder_absolute_outside_is_refused(
    tmp_path: Path, vault: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    path = write_config(tmp_path, f"vault: vault\noutput_folder: '{outside}'\n")
    assert error_lines(path) == [f"config.yaml: output_folder '{outside}' is outside the vault; {FIX}"]
    assert list(outside.iterdir()) == []


def test_output_folder_absolute_vault_root_is_refused(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, f"vault: vault\noutput_folder: '{vault}'\n")
    assert error_lines(path) == [f"config.yaml: output_folder '{vault}' is the vault root; {FIX}"]


def test_output_folder_symlink_leading_outside_is_refused(
    tmp_path: Path, vault: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (vault / "_out").symlink_to(outside, target_is_directory=True)
    path = write_config(tmp_path, "vault: vault\noutput_folder: _out\n")
    assert error_lines(path) == [
        f"config.yaml: output_folder '_out' leads outside the vault through a symlink; {SYMLINK_FIX}"
    ]
    assert list(outside.iterdir()) == []


def test_output_folder_under_a_symlink_leading_outside_is_refused(
    tmp_path: Path, vault: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (vault / "linked").symlink_to(outside, target_is_directory=True)
    path = write_config(tmp_path, "vault: vault\noutput_folder: linked/tlvault\n")
    assert error_lines(path) == [
        "config.yaml: output_folder 'linked/tlvault' leads outside the vault through a symlink; "
        + SYMLINK_FIX
    ]


def test_output_folder_absolute_inside_is_stored_relative(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, f"vault: vault\noutput_folder: '{vault / 'tlvault'}'\n")
    config = load_config(path)
    assert config.output_folder == "tlvault"
    assert config.output_path == vault / "tlvault"


def test_output_folder_absolute_inside_with_a_vault_override(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, f"output_folder: '{vault / 'Sorties' / 'tlvault'}'\n")
    assert load_config(path, vault=vault).output_folder == "Sorties/tlvault"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("tlvault/", "tlvault"),
        ("tlvault", "tlvault"),
        ("./tlvault", "tlvault"),
        ("_tlvault/index/", "_tlvault/index"),
        ("  Générées  ", "Générées"),
    ],
)
def test_output_folder_is_normalised(tmp_path: Path, vault: Path, value: str, stored: str) -> None:
    path = write_config(tmp_path, f"vault: vault\noutput_folder: '{value}'\n")
    assert load_config(path).output_folder == stored


def test_output_folder_need_not_exist_yet(tmp_path: Path, vault: Path) -> None:
    path = write_config(tmp_path, "vault: vault\noutput_folder: new/deep/out\n")
    assert load_config(path).output_folder == "new/deep/out"
    assert tree(vault) == [".obsidian"]


def test_empty_keys_keep_their_defaults(tmp_path: Path) -> None:
    (tmp_path / "vault").mkdir()
    path = write_config(tmp_path, "vault: vault\nexclude:\nlanguage:\njournal:\n  tags:\n")
    config = load_config(path)
    assert (config.exclude, config.language, config.journal) == ((), "auto", JournalConfig())


def test_weights_may_not_all_be_zero(tmp_path: Path) -> None:
    (tmp_path / "vault").mkdir()
    zero = "".join(f"    {name}: 0\n" for name in SIGNALS)
    path = write_config(tmp_path, f"vault: vault\nscoring:\n  weights:\n{zero}")
    assert error_lines(path) == [
        "config.yaml: scoring.weights are all 0; give at least one signal a weight above 0"
    ]
