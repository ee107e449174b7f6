"""tlvault.regions: split/compose, merge (user text byte for byte, ticks kept), fingerprints and
broken markers (FAULTS.md S8, S9; PRODUCT.md "Generated notes").
"""

from __future__ import annotations

import re

import pytest

from tlvault.regions import (
    PROPERTIES,
    MarkerError,
    Note,
    begin,
    checkbox_key,
    compose,
    end,
    fingerprint,
    fingerprints,
    merge,
    split,
    ticks,
)

PROPS = "---\ntlvault: generated\ntlvault_kind: cluster\ntags:\n  - tlvault\n---\n"
NEW_PROPS = "---\ntlvault: generated\ntlvault_kind: cluster\nripeness: 64\ntags:\n  - tlvault\n---\n"


def region(name: str, content: str) -> str:
    """A region as tlvault writes it: begin line, content, end line."""
    return f"{begin(name)}\n{content}{end(name)}\n"


# -- split and compose ------------------------------------------------------------------------


def test_markers_are_obsidian_comments_naming_the_region() -> None:
    assert begin("index") == "%% tlvault:begin index %%"
    assert end("index") == "%% tlvault:end index %%"


@pytest.mark.parametrize(
    ("properties", "regions", "free"),
    [
        (PROPS, {"cluster": "# Titre\n\n- [ ] Agir ^tlv-0123abcd\n"}, "\n## Publié / dérivés\n\n"),
        (PROPS, {"a": "un\n", "b": "deux\ntrois\n", "c": ""}, ""),
        ("", {"index": "sans propriétés\n"}, "texte libre\n"),
        ("---\n---\n", {"index": "é 😀 fin  \r\n\r\n"}, "à moi \r\nsans fin de ligne  "),
        ("", {}, "rien que du texte\n"),
    ],
)
def test_compose_then_split_gives_everything_back(
    properties: str, regions: dict[str, str], free: str
) -> None:
    text = compose(properties, regions, free)
    note = split(text)
    assert note.properties == properties
    assert note.regions() == regions
    assert list(note.regions()) == list(regions)  # in order
    assert note.free_text() == free


def test_compose_lays_out_properties_then_regions_then_free_text() -> None:
    text = compose(PROPS, {"a": "un\n", "b": "deux\n"}, "libre\n")
    assert text == (
        PROPS
        + "%% tlvault:begin a %%\nun\n%% tlvault:end a %%\n"
        + "%% tlvault:begin b %%\ndeux\n%% tlvault:end b %%\n"
        + "libre\n"
    )


def test_compose_then_split_with_a_region_without_final_line_end() -> None:
    """compose must put each region between its markers even when its text lacks a final line end."""
    text = compose(PROPS, {"index": "dernière ligne sans saut"}, "")
    note = split(text)  # the end marker must still be on a line of its own
    assert {name: content.rstrip("\n") for name, content in note.regions().items()} == {
        "index": "dernière ligne sans saut"
    }


def test_split_keeps_user_text_around_regions_in_order() -> None:
    text = PROPS + "avant\n" + region("a", "A\n") + "entre\n" + region("b", "B\n") + "après"
    note = split(text)
    assert note.parts == [
        (None, "avant\n"),
        ("a", "A\n"),
        (None, "entre\n"),
        ("b", "B\n"),
        (None, "après"),
    ]
    assert note.free_text() == "avant\nentre\naprès"


def test_split_a_note_without_properties() -> None:
    text = "# Mes notes\n" + region("index", "contenu\n")
    note = split(text)
    assert note.properties == ""
    assert note.regions() == {"index": "contenu\n"}
    assert note.free_text() == "# Mes notes\n"


def test_split_a_note_whose_properties_block_is_empty() -> None:
    text = "---\n---\n" + region("index", "contenu\n") + "libre\n"
    note = split(text)
    assert note.properties == "---\n---\n"
    assert note.regions() == {"index": "contenu\n"}
    assert note.free_text() == "libre\n"


def test_split_a_file_that_is_only_an_empty_properties_block() -> None:
    note = split("---\n---\n")
    assert note.properties == "---\n---\n"
    assert note.regions() == {}
    assert note.free_text() == ""


def test_split_recognises_markers_on_crlf_lines() -> None:
    text = "avant\r\n%% tlvault:begin index %%\r\nligne\r\n%% tlvault:end index %%\r\naprès\r\n"
    note = split(text)
    assert note.regions() == {"index": "ligne\r\n"}
    assert note.free_text() == "avant\r\naprès\r\n"


# -- broken markers (S9) ----------------------------------------------------------------------


def marker_error(text: str) -> str:
    with pytest.raises(MarkerError) as caught:
        split(text)
    return str(caught.value)


def test_missing_end_marker() -> None:
    text = PROPS + "%% tlvault:begin index %%\n# Idées\n- [ ] Agir\n"
    assert marker_error(text) == "the region 'index' has no end marker"


def test_region_that_begins_twice() -> None:
    text = PROPS + region("index", "un\n") + "entre\n" + region("index", "deux\n")
    assert marker_error(text) == "the region 'index' begins twice"


def test_duplicated_begin_line_is_refused() -> None:
    """FAULTS S9: the start marker duplicated in place."""
    text = PROPS + "%% tlvault:begin index %%\n%% tlvault:begin index %%\nun\n%% tlvault:end index %%\n"
    assert marker_error(text) == "the region 'index' begins twice"


def test_nested_begin() -> None:
    text = begin("a") + "\nun\n" + region("b", "deux\n") + end("a") + "\n"
    assert marker_error(text) == "the region 'a' is not closed before 'b' begins"


def test_end_without_begin() -> None:
    text = PROPS + "texte\n%% tlvault:end index %%\n"
    assert marker_error(text) == "an end marker for 'index' has no matching begin marker"


def test_end_of_another_region() -> None:
    text = "%% tlvault:begin a %%\nun\n%% tlvault:end b %%\n"
    assert marker_error(text) == "an end marker for 'b' has no matching begin marker"


def test_deleted_end_marker_of_a_real_note() -> None:
    """FAULTS S9: the user deletes the end marker of a generated note."""
    text = compose(PROPS, {"cluster": "# Titre\n"}, "\n## Publié / dérivés\n")
    broken = text.replace(end("cluster") + "\n", "")
    assert marker_error(broken) == "the region 'cluster' has no end marker"


def test_marker_error_is_a_value_error() -> None:
    assert issubclass(MarkerError, ValueError)


def test_marker_lookalikes_are_user_text() -> None:
    text = "  %% tlvault:begin a %%\n%% tlvault:begin a %% et plus\n%%tlvault:end a%%\n"
    note = split(text)
    assert note.regions() == {}
    assert note.free_text() == text


# -- merge (S8) -------------------------------------------------------------------------------


def test_merge_keeps_user_text_byte_for_byte_and_replaces_the_rest() -> None:
    existing = (
        PROPS
        + "Mes notes avant 🌱  \r\n"
        + region("index", "ancien index\n")
        + "entre deux \t \r\n\r\n"
        + region("gone", "région disparue\n")
        + "au milieu 😀 \n"
        + region("cluster", "ancien cluster\n- [ ] Agir ^tlv-0123abcd\n")
        + "## Publié / dérivés\r\n\r\nPost LinkedIn du 3 mai   \n"
    )
    fresh = split(
        compose(
            NEW_PROPS,
            {"cluster": "nouveau cluster\n", "index": "nouvel index\n", "added": "ajoutée\n"},
            "texte libre du modèle\n",
        )
    )
    merged = merge(split(existing), fresh)
    assert merged == (
        NEW_PROPS
        + "Mes notes avant 🌱  \r\n"
        + region("index", "nouvel index\n")
        + "entre deux \t \r\n\r\n"
        + "au milieu 😀 \n"
        + region("cluster", "nouveau cluster\n")
        + "## Publié / dérivés\r\n\r\nPost LinkedIn du 3 mai   \n"
        + region("added", "ajoutée\n")
    )
    again = split(merged)
    assert again.free_text() == split(existing).free_text()
    assert again.regions() == {
        "index": "nouvel index\n",
        "cluster": "nouveau cluster\n",
        "added": "ajoutée\n",
    }


def test_merge_of_an_unchanged_note_is_the_note_itself() -> None:
    text = PROPS + "avant \r\n" + region("cluster", "contenu\n") + "\n## Publié / dérivés\n\nà moi"
    assert merge(split(text), split(text)) == text


def test_merge_adds_properties_to_a_note_without_them() -> None:
    existing = "# à moi\n" + region("index", "ancien\n")
    merged = merge(split(existing), split(compose(NEW_PROPS, {"index": "nouveau\n"})))
    assert merged == NEW_PROPS + "# à moi\n" + region("index", "nouveau\n")


def test_merge_replaces_an_empty_properties_block() -> None:
    existing = "---\n---\n" + region("index", "ancien\n") + "libre\n"
    merged = merge(split(existing), split(compose(NEW_PROPS, {"index": "nouveau\n"})))
    assert merged == NEW_PROPS + region("index", "nouveau\n") + "libre\n"


def test_merge_appends_a_new_region_after_user_text_without_final_line_end() -> None:
    """User text typed at the very end of a note (Obsidian adds no final line end) stays user text,
    and a region only the fresh note has is still a well-formed region after it."""
    existing = PROPS + region("cluster", "ancien\n") + "\n## Publié / dérivés\n\nPublié le 3 mai"
    fresh = split(compose(NEW_PROPS, {"cluster": "nouveau\n", "added": "ajoutée\n"}))
    merged = merge(split(existing), fresh)
    assert "\n## Publié / dérivés\n\nPublié le 3 mai" in merged
    again = split(merged)  # must not raise MarkerError
    assert again.regions() == {"cluster": "nouveau\n", "added": "ajoutée\n"}


def test_merge_keeps_the_existing_order_of_regions() -> None:
    existing = region("b", "B\n") + "milieu\n" + region("a", "A\n")
    merged = merge(split(existing), split(compose("", {"a": "A2\n", "b": "B2\n"})))
    assert merged == region("b", "B2\n") + "milieu\n" + region("a", "A2\n")


# -- ticks ------------------------------------------------------------------------------------

EXISTING_ACTIONS = (
    "- [x] Faire A ^tlv-aaaaaaaa\n"
    "- [X] Faire B ^tlv-bbbbbbbb\n"
    "- [-] Faire C ^tlv-cccccccc\n"
    "- [/] Faire D ^tlv-dddddddd  \n"
    "- [x] Action disparue ^tlv-eeeeeeee\n"
    "- [x] Sans clé\n"
    "- [ ] Pas cochée ^tlv-ffffffff\n"
)
FRESH_ACTIONS = (
    "- [ ] Faire D ^tlv-dddddddd\n"
    "- [ ] Faire A, reformulée ^tlv-aaaaaaaa\n"
    "- [ ] Faire B ^tlv-bbbbbbbb\n"
    "- [ ] Faire C ^tlv-cccccccc\n"
    "- [ ] Sans clé\n"
    "- [ ] Nouvelle action ^tlv-12345678\n"
    "- [ ] Pas cochée ^tlv-ffffffff\n"
)


def test_ticks_reads_the_status_of_keyed_boxes_only() -> None:
    note = split(PROPS + region("cluster", EXISTING_ACTIONS))
    assert ticks(note) == {
        "tlv-aaaaaaaa": "x",
        "tlv-bbbbbbbb": "X",
        "tlv-cccccccc": "-",
        "tlv-dddddddd": "/",
        "tlv-eeeeeeee": "x",
    }


def test_ticks_ignore_boxes_in_user_text() -> None:
    note = split("- [x] À moi ^tlv-aaaaaaaa\n" + region("index", "- [ ] Agir ^tlv-aaaaaaaa\n"))
    assert ticks(note) == {}


def test_merge_carries_ticks_over_by_key() -> None:
    existing = split(PROPS + region("cluster", EXISTING_ACTIONS) + "libre\n")
    fresh = split(compose(NEW_PROPS, {"cluster": FRESH_ACTIONS}))
    merged = merge(existing, fresh)
    assert (
        merged
        == NEW_PROPS
        + region(
            "cluster",
            "- [/] Faire D ^tlv-dddddddd\n"
            "- [x] Faire A, reformulée ^tlv-aaaaaaaa\n"
            "- [X] Faire B ^tlv-bbbbbbbb\n"
            "- [-] Faire C ^tlv-cccccccc\n"
            "- [ ] Sans clé\n"
            "- [ ] Nouvelle action ^tlv-12345678\n"
            "- [ ] Pas cochée ^tlv-ffffffff\n",
        )
        + "libre\n"
    )
    assert "tlv-eeeeeeee" not in merged


def test_merge_carries_ticks_on_other_list_markers_and_indented_items() -> None:
    existing = split(region("index", "* [x] Un ^tlv-0000000a\n  + [x] Deux ^tlv-0000000b\r\n"))
    fresh = split(compose("", {"index": "* [ ] Un ^tlv-0000000a\n  + [ ] Deux ^tlv-0000000b\r\n"}))
    assert split(merge(existing, fresh)).regions() == {
        "index": "* [x] Un ^tlv-0000000a\n  + [x] Deux ^tlv-0000000b\r\n"
    }


def test_merge_carries_a_tick_into_another_region() -> None:
    existing = split(region("a", "- [x] Agir ^tlv-0000000a\n") + region("b", "rien\n"))
    fresh = split(compose("", {"a": "autre\n", "b": "- [ ] Agir ^tlv-0000000a\n"}))
    assert split(merge(existing, fresh)).regions() == {"a": "autre\n", "b": "- [x] Agir ^tlv-0000000a\n"}


def test_merge_never_ticks_what_the_user_did_not_tick() -> None:
    existing = split(region("a", "- [ ] Agir ^tlv-0000000a\n"))
    fresh = split(compose("", {"a": "- [ ] Agir ^tlv-0000000a\n- [ ] Autre ^tlv-0000000b\n"}))
    assert split(merge(existing, fresh)).regions() == {
        "a": "- [ ] Agir ^tlv-0000000a\n- [ ] Autre ^tlv-0000000b\n"
    }


# -- fingerprints -----------------------------------------------------------------------------


def test_fingerprint_ignores_ticks_of_keyed_boxes() -> None:
    blank = "# Titre\n- [ ] Agir ^tlv-0123abcd\n- [ ] Relier ^tlv-4567cdef\n"
    for status in ("x", "X", "-", "/"):
        ticked = blank.replace("- [ ] Agir", f"- [{status}] Agir")
        assert ticked != blank
        assert fingerprint(ticked) == fingerprint(blank)
    assert fingerprint(blank.replace("[ ]", "[x]")) == fingerprint(blank)


@pytest.mark.parametrize(
    "edited",
    [
        "# Titre\n- [ ] Agir vite ^tlv-0123abcd\n- [ ] Relier ^tlv-4567cdef\n",  # words
        "# Titre\n- [ ] Agir ^tlv-0123abce\n- [ ] Relier ^tlv-4567cdef\n",  # key
        "# Titre\n- [ ] Relier ^tlv-4567cdef\n",  # a line removed
        "# Titre\n- [ ] Agir ^tlv-0123abcd\n- [ ] Relier ^tlv-4567cdef\nà moi\n",  # a line added
        "# Titre \n- [ ] Agir ^tlv-0123abcd\n- [ ] Relier ^tlv-4567cdef\n",  # a trailing space
        "# Titre\r\n- [ ] Agir ^tlv-0123abcd\n- [ ] Relier ^tlv-4567cdef\n",  # a line end
    ],
)
def test_fingerprint_sees_every_other_edit(edited: str) -> None:
    blank = "# Titre\n- [ ] Agir ^tlv-0123abcd\n- [ ] Relier ^tlv-4567cdef\n"
    assert fingerprint(edited) != fingerprint(blank)


def test_fingerprint_sees_a_tick_on_a_box_without_key() -> None:
    assert fingerprint("- [x] Agir\n") != fingerprint("- [ ] Agir\n")


def test_fingerprint_is_short_hex_and_deterministic() -> None:
    value = fingerprint("contenu\n")
    assert re.fullmatch(r"[0-9a-f]{16}", value)
    assert fingerprint("contenu\n") == value
    assert fingerprint("") != value


def test_fingerprints_cover_properties_and_each_region() -> None:
    note = split(PROPS + "libre\n" + region("a", "A\n") + region("b", "- [x] B ^tlv-0000000b\n"))
    assert PROPERTIES == "properties"
    assert fingerprints(note) == {
        "properties": fingerprint(PROPS),
        "a": fingerprint("A\n"),
        "b": fingerprint("- [ ] B ^tlv-0000000b\n"),
    }
    assert fingerprints(Note()) == {"properties": fingerprint("")}


# -- checkbox keys ----------------------------------------------------------------------------


def test_checkbox_key_is_deterministic() -> None:
    key = checkbox_key("index", "c-358da7", "Relis ta note.")
    assert key == checkbox_key("index", "c-358da7", "Relis ta note.")
    assert re.fullmatch(r"tlv-[0-9a-f]{8}", key)
    # the same across versions, or every tick the user gave would be lost on upgrade
    assert key == "tlv-cb39042d"
    assert checkbox_key("c-358da7", "Écris la note [[Seth Godin]].") == "tlv-96a71963"


def test_checkbox_key_differs_for_different_parts() -> None:
    keys = {
        checkbox_key("index", "c-358da7", "Relis ta note."),
        checkbox_key("index", "c-358da7", "Relis ta note"),
        checkbox_key("index", "c-358da8", "Relis ta note."),
        checkbox_key("c-358da7", "Relis ta note."),
        checkbox_key("ab", "c"),
        checkbox_key("a", "bc"),
        checkbox_key("abc"),
        checkbox_key("b", "a"),
        checkbox_key("a", "b"),
    }
    assert len(keys) == 9
