"""Every user-visible label and sentence, one table per language (French and English)."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("fr", "en")

_FR: Mapping[str, str] = {
    # bands (PRODUCT.md, "Score")
    "band.seed": "🌱 graine",
    "band.cultivate": "🌿 à cultiver",
    "band.ripe": "🍎 mûr",
    "band.harvest": "🧺 à récolter",
    # pipeline stages
    "stage.harvest": "récolter",
    "stage.cultivate": "cultiver",
    "stage.create": "créer",
    "stage.publish": "publier",
    "stage.productise": "productiser",
    # formats
    "format.post": "post ou thread",
    "format.newsletter": "numéro de newsletter ou script vidéo",
    "format.lead_magnet": "lead magnet",
    "format.product": "formation ou produit",
    # signals
    "signal.mass": "masse",
    "signal.cohesion": "cohésion",
    "signal.distillation": "distillation",
    "signal.momentum": "élan",
    "signal.persistence": "persistance",
    "signal.hub": "carte ou plan",
    "signal.bridges": "ponts",
    "signal.validation": "validation",
    # formats with their article, for sentences
    "a_format.post": "un post ou un thread",
    "a_format.newsletter": "un numéro de newsletter ou un script vidéo",
    "a_format.lead_magnet": "un lead magnet",
    "a_format.product": "une formation ou un produit",
    # why: the two largest contributions (".one": the singular form)
    "why.mass": "{notes} notes le nourrissent",
    "why.cohesion": "ses notes sont bien reliées entre elles",
    "why.distillation": "{distilled} notes sont déjà mûres ou résumées",
    "why.distillation.one": "une note est déjà mûre ou résumée",
    "why.momentum": "ton journal y revient ({mentions} mentions ce mois-ci)",
    "why.momentum.one": "ton journal y revient (une mention ce mois-ci)",
    "why.momentum_edits": "tu l’as retravaillé récemment",
    "why.persistence": "l’idée est revenue sur {weeks} semaines différentes",
    "why.persistence.one": "l’idée est revenue cette semaine",
    "why.hub": "une note centrale le structure déjà ({hub})",
    "why.outline": "un plan le structure déjà",
    "why.bridges": "il rejoint {bridges} autres clusters",
    "why.bridges.one": "il rejoint un autre cluster",
    "why.validation": "{published} pièces sont déjà publiées",
    "why.validation.one": "une pièce est déjà publiée",
    "why.join": "{first} et {second}.",
    # next action: the weakest signal
    "next.mass": "Écris deux ou trois notes de plus sur « {name} » pour lui donner du corps.",
    "next.cohesion": "Relie {least_linked} aux autres notes du cluster : c’est la moins connectée.",
    "next.distillation": "Distille {least_distilled} : un titre qui affirme, un résumé en trois lignes.",
    "next.momentum": "Reviens sur « {name} » dans ton journal cette semaine.",
    "next.persistence": "Prévois trois courtes sessions sur « {name} » dans les semaines qui viennent.",
    "next.hub": "Crée une note carte qui relie les {notes} notes de « {name} ».",
    "next.bridges": "Relie « {name} » à « {other} », le cluster le plus proche.",
    "next.bridges_alone": "Relie « {name} » à une autre de tes idées : il est encore isolé.",
    "next.validation": "Publie {a_format} à partir de {most_distilled}.",
    # gaps, ghosts, orphans
    "gap.question": "Qu’est-ce qui relie « {first} » et « {second} » ?",
    "suggest.cocitation": "citée avec elle dans ton journal",
    "suggest.neighbours": "{shared} voisins en commun",
    "suggest.neighbours.one": "un voisin en commun",
}

_EN: Mapping[str, str] = {
    "band.seed": "🌱 seed",
    "band.cultivate": "🌿 to cultivate",
    "band.ripe": "🍎 ripe",
    "band.harvest": "🧺 ready to harvest",
    "stage.harvest": "harvest",
    "stage.cultivate": "cultivate",
    "stage.create": "create",
    "stage.publish": "publish",
    "stage.productise": "productise",
    "format.post": "post or thread",
    "format.newsletter": "newsletter issue or video script",
    "format.lead_magnet": "lead magnet",
    "format.product": "course or product",
    "signal.mass": "mass",
    "signal.cohesion": "cohesion",
    "signal.distillation": "distillation",
    "signal.momentum": "momentum",
    "signal.persistence": "persistence",
    "signal.hub": "hub or outline",
    "signal.bridges": "bridges",
    "signal.validation": "validation",
    "a_format.post": "a post or a thread",
    "a_format.newsletter": "a newsletter issue or a video script",
    "a_format.lead_magnet": "a lead magnet",
    "a_format.product": "a course or a product",
    "why.mass": "{notes} notes feed it",
    "why.cohesion": "its notes link tightly to each other",
    "why.distillation": "{distilled} notes are already distilled or summarised",
    "why.distillation.one": "one note is already distilled or summarised",
    "why.momentum": "your journal keeps coming back to it ({mentions} mentions this month)",
    "why.momentum.one": "your journal came back to it (one mention this month)",
    "why.momentum_edits": "you worked on it recently",
    "why.persistence": "the idea came back in {weeks} different weeks",
    "why.persistence.one": "the idea came back this week",
    "why.hub": "a central note already holds it together ({hub})",
    "why.outline": "an outline already structures it",
    "why.bridges": "it connects to {bridges} other clusters",
    "why.bridges.one": "it connects to another cluster",
    "why.validation": "{published} pieces are already published",
    "why.validation.one": "one piece is already published",
    "why.join": "{first} and {second}.",
    "next.mass": "Write two or three more notes on “{name}” to give it body.",
    "next.cohesion": "Link {least_linked} to the rest of the cluster: it is the least connected.",
    "next.distillation": "Distill {least_distilled}: a title that makes a claim and a three-line summary.",
    "next.momentum": "Come back to “{name}” in your journal this week.",
    "next.persistence": "Plan three short sessions on “{name}” over the coming weeks.",
    "next.hub": "Create a hub note that links the {notes} notes of “{name}”.",
    "next.bridges": "Link “{name}” to “{other}”, the closest cluster.",
    "next.bridges_alone": "Link “{name}” to another of your ideas: it is still isolated.",
    "next.validation": "Publish {a_format} from {most_distilled}.",
    "gap.question": "What connects “{first}” and “{second}”?",
    "suggest.cocitation": "cited with it in your journal",
    "suggest.neighbours": "{shared} neighbours in common",
    "suggest.neighbours.one": "one neighbour in common",
}

_TABLES: Mapping[str, Mapping[str, str]] = {"fr": _FR, "en": _EN}


def text(language: str, key: str, **values: object) -> str:
    """The sentence `key` in `language` (French when unknown), with `values` filled in."""
    table = _TABLES.get(language, _FR)
    return table[key].format(**values)


def text_count(language: str, key: str, count: int | None, **values: object) -> str:
    """Like `text`, with the singular form `key.one` when `count` is 1 and the table has it."""
    table = _TABLES.get(language, _FR)
    if count == 1 and f"{key}.one" in table:
        key = f"{key}.one"
    return table[key].format(**values)


def capitalise(sentence: str) -> str:
    """The sentence with its first letter in upper case."""
    return sentence[:1].upper() + sentence[1:]
