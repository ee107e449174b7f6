"""`tlvault scorecard init`: a checklist copy of a plain-list quiz, never touching any note."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import MakeVault, RunCli, snapshot

PLAIN_QUIZ = """---
tags: [quiz]
---
# Quiz : suis-je un thought leader ?

Réponds honnêtement.

- Est-ce que j’écris chaque semaine ?
- Ai-je une newsletter ?
3. Ai-je publié un lead magnet ?
Une phrase qui n’est pas une question.

```
Ceci est du code ?
```
"""

EXPECTED_COPY = """---
tags:
  - quiz
---
# Quiz : suis-je un thought leader ?

Source : [[Quiz]]

- [ ] Q1 — Est-ce que j’écris chaque semaine ?
- [ ] Q2 — Ai-je une newsletter ?
- [ ] Q3 — Ai-je publié un lead magnet ?
"""

JOURNAL_WITH_QUIZ = """---
created: 2024-02-22T20:47
---
Lien : [[Idées]]
Tags : #journal

Une réflexion sur le leadership ?

# Quiz qui peut servir de base

Do you share a draft with a friend before publishing?
Have you mapped the three topics you want to own?
"""


def test_a_plain_list_quiz_gets_a_checklist_copy(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"Quiz.md": PLAIN_QUIZ, "Idée.md": "# Idée\n"})
    before = snapshot(vault)
    result = run_cli("scorecard", "init", vault)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "wrote Quiz (checklist).md: tick the boxes that are true today\n"
    assert (vault / "Quiz (checklist).md").read_text(encoding="utf-8") == EXPECTED_COPY
    after = snapshot(vault)
    assert after.pop("Quiz (checklist).md")
    assert after == before  # no note modified


def test_scorecard_init_never_overwrites(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"Quiz.md": PLAIN_QUIZ, "Quiz (checklist).md": "mine\n"})
    before = snapshot(vault)
    result = run_cli("scorecard", "init", "--note", "Quiz.md", vault)
    assert result.exit_code == 1
    assert result.stderr == "tlvault: error: Quiz (checklist).md already exists; nothing was written\n"
    assert snapshot(vault) == before


def test_a_quiz_inside_a_journal_note_is_copied_with_its_heading(
    make_vault: MakeVault, run_cli: RunCli
) -> None:
    vault = make_vault({"1 - Input/2024-02-22.md": JOURNAL_WITH_QUIZ})
    result = run_cli("scorecard", "init", "--note", "1 - Input/2024-02-22", vault)
    assert result.exit_code == 0, result.stderr
    copy = vault / "1 - Input" / "Quiz - 2024-02-22.md"
    assert copy.read_text(encoding="utf-8").splitlines()[4:] == [
        "# Quiz qui peut servir de base",
        "",
        "Source : [[1 - Input/2024-02-22]]",
        "",
        "- [ ] Q1 — Une réflexion sur le leadership ?",
        "- [ ] Q2 — Do you share a draft with a friend before publishing?",
        "- [ ] Q3 — Have you mapped the three topics you want to own?",
    ]


def test_the_ticked_copy_is_the_one_the_dashboard_scores(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"Quiz.md": PLAIN_QUIZ, "Idée.md": "# Idée\n"})
    assert run_cli("rebuild", "--now", "2024-06-30", vault).exit_code == 0
    dashboard = (vault / "tlvault" / "Tableau de bord.md").read_text(encoding="utf-8")
    assert "[[Quiz]] n’a pas encore de réponses. `tlvault scorecard init`" in dashboard

    assert run_cli("scorecard", "init", vault).exit_code == 0
    copy = vault / "Quiz (checklist).md"
    copy.write_text(EXPECTED_COPY.replace("- [ ] Q2", "- [x] Q2"), encoding="utf-8")
    assert run_cli("rebuild", "--now", "2024-06-30", vault).exit_code == 0
    dashboard = (vault / "tlvault" / "Tableau de bord.md").read_text(encoding="utf-8")
    assert "Quiz : [[Quiz (checklist)]] — 1 oui sur 3 questions" in dashboard
    state = json.loads((vault / "tlvault" / ".tlvault-state.json").read_text(encoding="utf-8"))
    assert state["history"]["scorecard"] == [{"day": "2024-06-30", "answers": "nyn", "yes": [0, 1, 0, 0, 0]}]


def test_no_quiz_note_is_one_clear_error(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"Idée.md": "# Idée ?\n"})
    result = run_cli("scorecard", "init", vault)
    assert result.exit_code == 1
    assert result.stderr == "tlvault: error: no quiz note found: tag it #quiz or pass --note PATH\n"


def test_a_note_outside_the_vault_or_missing_is_refused(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"Quiz.md": PLAIN_QUIZ})
    (vault.parent / "Dehors.md").write_text("Une question ?\n", encoding="utf-8")
    outside = run_cli("scorecard", "init", "--note", "../Dehors.md", vault)
    assert outside.exit_code == 1
    assert outside.stderr == f"tlvault: error: ../Dehors.md: not inside the vault {vault}\n"
    missing = run_cli("scorecard", "init", "--note", "Absente", vault)
    assert missing.stderr == f"tlvault: error: Absente: no such note in the vault {vault}\n"
    assert not (vault.parent / "Quiz - Dehors.md").exists()


def test_a_note_without_questions_is_refused(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"Quiz.md": "---\ntags: [quiz]\n---\n# Quiz\n\nPas de question.\n"})
    result = run_cli("scorecard", "init", vault)
    assert (
        result.stderr == "tlvault: error: Quiz.md: no question found (a question is a line ending with '?')\n"
    )
    assert sorted(path.name for path in vault.iterdir() if path.name != ".obsidian") == ["Quiz.md"]


def test_the_copy_keeps_the_source_path_relative_to_the_vault(tmp_path: Path, run_cli: RunCli) -> None:
    vault = tmp_path / "coffre"
    (vault / "Quiz").mkdir(parents=True)
    (vault / "Quiz" / "Quiz TL.md").write_text(PLAIN_QUIZ, encoding="utf-8")
    assert run_cli("scorecard", "init", "--note", "Quiz/Quiz TL.md", vault).exit_code == 0
    text = (vault / "Quiz" / "Quiz TL (checklist).md").read_text(encoding="utf-8")
    assert "Source : [[Quiz/Quiz TL]]\n" in text
