"""render_outputs(...) -> list[OutputNote]: the text of every generated file; never touches disk."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tlvault.model import STATE_FORMAT, STATE_REL
from tlvault.results import Cluster, OutputNote


def render_state(clusters: Sequence[Cluster]) -> OutputNote:
    """The cluster assignment the next run matches against, so that ids and names survive."""
    document = {
        "format": STATE_FORMAT,
        "clusters": [
            {"id": cluster.id, "name": cluster.name, "members": list(cluster.notes)}
            for cluster in sorted(clusters, key=lambda c: c.id)
        ],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return OutputNote(STATE_REL, text, marker=f'"format": "{STATE_FORMAT}"')
