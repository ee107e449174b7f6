"""Every user-visible label and sentence, one table per language (French and English)."""

from __future__ import annotations

import re
from collections.abc import Mapping

LANGUAGES = ("fr", "en")

_FR: Mapping[str, str] = {
    # generated notes: names
    "file.index": "Idées à cultiver",
    "file.health": "Santé du coffre",
    "file.canvas": "Carte des idées",
    "canvas.caption": "## Carte des idées\nLes clusters les plus mûrs, regroupés. Détails : [[{index}]]",
    # index note
    "index.title": "Idées à cultiver",
    "index.next": "Quoi écrire ensuite ?",
    "index.score_line": "{score}/100 · {band} · {format}",
    "index.ranking": "Classement",
    "index.columns": "# | Cluster | Score | Maturité | Étape | Format | Notes",
    "index.actions": "Prochaines actions",
    "index.ghosts": "Idées fantômes",
    "index.ghost_line": "notes : {notes} · jours de journal : {days}",
    "index.gaps": "Écarts et ponts",
    "index.gap_bridges": "Notes entre les deux : {notes}",
    "index.orphans": "Notes à relier",
    "index.map": "Carte",
    "index.canvas": "Toutes les idées sur un canevas : {canvas}",
    "index.health": "État du coffre : {health}",
    "index.empty": "Pas encore de cluster : il faut au moins {size} notes reliées autour d’une même idée.",
    "list.more": "… et {count} de plus.",
    "punct.colon": " : ",
    "punct.quote": "« {text} »",
    # cluster note
    "cluster.summary": "**{score}/100** · {band} · étape : {stage} · format : {format}",
    "cluster.why": "Pourquoi",
    "cluster.missing": "Ce qui manque",
    "cluster.weakest": "Le signal le plus faible est « {signal} » ({value}).",
    "cluster.core": "Notes au cœur",
    "cluster.hub": "note centrale",
    "cluster.outline": "Plan proposé",
    "cluster.outline_close": "Pour conclure : {action}",
    "cluster.members": "Notes du cluster",
    "cluster.member_columns": "Note | Dernière activité",
    "cluster.links": "Liens manquants",
    "cluster.ghosts": "Idées fantômes",
    "cluster.bridges": "Ponts",
    "cluster.bridge_line": "{cluster}, par {notes}",
    "cluster.timeline": "Journal",
    "cluster.actions": "Prochaines actions",
    "cluster.link_action": "Relie {first} et {second} : ton journal les cite ensemble.",
    "cluster.ghost_action": "Écris la note {ghost}.",
    "cluster.published": "Publié / dérivés",
    # health note
    "health.title": "Santé du coffre",
    "health.summary": "{notes} notes lues ; {links} liens, {unresolved} non résolus ; {problems} à vérifier.",
    "health.unresolved": "Liens non résolus",
    "health.unresolved_columns": "Cible | Écrite dans",
    "health.orphans": "Notes orphelines",
    "health.problems": "Notes ignorées ou lues avec un problème",
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
    # dashboard
    "file.dashboard": "Tableau de bord",
    "file.pipeline": "Pipeline des idées",
    "index.dashboard": "Habitudes, publication et bilan : {dashboard} · pipeline : {base}",
    "dash.title": "Tableau de bord",
    "dash.week": "Cette semaine",
    "dash.summary.writing": "✍️ écriture : {streak}",
    "dash.summary.reading": "📚 lecture : {streak}",
    "dash.summary.visuals": "🎨 visuels : {streak}",
    "dash.summary.publish": "📰 publié : {count}/{target} cette semaine",
    "dash.streak": "{days} jours d’affilée",
    "dash.streak.one": "1 jour",
    "dash.streak.zero": "pas de série en cours",
    "dash.habits": "Habitudes des {weeks} dernières semaines",
    "dash.habit.writing": "✍️ Écriture — objectif : {target} mots par jour",
    "dash.habit.reading": "📚 Lecture — objectif : {target} minutes par jour",
    "dash.habit.visuals": "🎨 Visuels — objectif : {target} par jour",
    "dash.streaks": "Série en cours : {current} · record sur un an : {longest}",
    "dash.week_of": "Semaine du",
    "dash.weekdays": "Lu | Ma | Me | Je | Ve | Sa | Di",
    "dash.unit.writing": "{value}",
    "dash.unit.reading": "{value} min",
    "dash.unit.visuals": "{value}",
    "dash.reading_note": "📖",
    "dash.habits_how": (
        "Rien à saisir : les mots comptent le jour où une note est créée (propriété `created`, date du "
        "journal) et le jour où elle grandit ; la lecture vient des propriétés comme `lecture: 45` et des "
        "notes de lecture ; les visuels, des images, canevas et liens Figma ajoutés."
    ),
    "dash.momentum": "Élan",
    "dash.momentum_columns": "Cluster | Journal (7 j) | Journal (30 j) | Lectures qui l’ont nourri",
    "dash.momentum_none": "Ton journal n’est revenu sur aucun cluster ces 30 derniers jours.",
    "dash.publishing": "Publication",
    "dash.publish_target": "Objectif : {target} par semaine · série : {streak}",
    "dash.weeks_streak": "{weeks} semaines d’affilée",
    "dash.weeks_streak.one": "1 semaine",
    "dash.weeks_streak.zero": "aucune en cours",
    "dash.publish_columns": "Semaine du | Publié | Pièces",
    "dash.focus": "Sur quoi se concentrer",
    "dash.focus_none": "Aucune case ouverte dans le journal de la semaine.",
    "dash.scorecard": "Bilan de thought leader",
    "dash.quiz": "Quiz : {note} — {yes} oui sur {questions} questions",
    "dash.quiz_none": (
        "Pas de quiz : ajoute le tag `#quiz` à ta note d’auto-évaluation, ou indique-la dans "
        "`dashboard.quiz.note`."
    ),
    "dash.quiz_unanswered": (
        "{note} n’a pas encore de réponses. `tlvault scorecard init` en fait une liste de cases à cocher."
    ),
    "dash.pillar_columns": "Pilier | Score | | Clusters qui le feraient progresser",
    "dash.weak": "⚠️ à renforcer",
    "dash.no_movers": "aucun cluster mûr pour l’instant",
    "dash.history": "Historique",
    "dash.history_first": "Date",
    "dash.history_total": "Total",
    "pillar.ideas": "Idées",
    "pillar.content": "Contenu",
    "pillar.audience": "Audience",
    "pillar.authority": "Autorité",
    "pillar.business": "Business",
    "base.by_stage": "Par étape",
    "base.by_ripeness": "Par maturité",
    "base.ripeness": "Maturité (score)",
    "base.band": "Bande",
    "base.stage": "Étape",
    "base.format": "Format",
    "base.members": "Notes",
}

_EN: Mapping[str, str] = {
    "file.index": "Ideas to cultivate",
    "file.health": "Vault health",
    "file.canvas": "Idea map",
    "canvas.caption": "## Idea map\nThe ripest clusters, grouped. Details: [[{index}]]",
    "index.title": "Ideas to cultivate",
    "index.next": "What to write next?",
    "index.score_line": "{score}/100 · {band} · {format}",
    "index.ranking": "Ranking",
    "index.columns": "# | Cluster | Score | Ripeness | Stage | Format | Notes",
    "index.actions": "Next actions",
    "index.ghosts": "Ghost ideas",
    "index.ghost_line": "notes: {notes} · journal days: {days}",
    "index.gaps": "Gaps and bridges",
    "index.gap_bridges": "Notes in between: {notes}",
    "index.orphans": "Notes to connect",
    "index.map": "Map",
    "index.canvas": "Every idea on a canvas: {canvas}",
    "index.health": "Vault health: {health}",
    "index.empty": "No cluster yet: it takes at least {size} notes linked around one idea.",
    "list.more": "… and {count} more.",
    "punct.colon": ": ",
    "punct.quote": "“{text}”",
    "cluster.summary": "**{score}/100** · {band} · stage: {stage} · format: {format}",
    "cluster.why": "Why",
    "cluster.missing": "What is missing",
    "cluster.weakest": "The weakest signal is “{signal}” ({value}).",
    "cluster.core": "Core notes",
    "cluster.hub": "central note",
    "cluster.outline": "Proposed outline",
    "cluster.outline_close": "To conclude: {action}",
    "cluster.members": "Notes in the cluster",
    "cluster.member_columns": "Note | Last activity",
    "cluster.links": "Missing links",
    "cluster.ghosts": "Ghost ideas",
    "cluster.bridges": "Bridges",
    "cluster.bridge_line": "{cluster}, through {notes}",
    "cluster.timeline": "Journal",
    "cluster.actions": "Next actions",
    "cluster.link_action": "Link {first} and {second}: your journal cites them together.",
    "cluster.ghost_action": "Write the note {ghost}.",
    "cluster.published": "Published / derived",
    "health.title": "Vault health",
    "health.summary": "{notes} notes read; {links} links, {unresolved} unresolved; {problems} to check.",
    "health.unresolved": "Unresolved links",
    "health.unresolved_columns": "Target | Written in",
    "health.orphans": "Orphan notes",
    "health.problems": "Notes skipped or read with a problem",
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
    "next.distillation": "Distil {least_distilled}: a title that makes a claim and a three-line summary.",
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
    "file.dashboard": "Dashboard",
    "file.pipeline": "Idea pipeline",
    "index.dashboard": "Habits, publishing and scorecard: {dashboard} · pipeline: {base}",
    "dash.title": "Dashboard",
    "dash.week": "This week",
    "dash.summary.writing": "✍️ writing: {streak}",
    "dash.summary.reading": "📚 reading: {streak}",
    "dash.summary.visuals": "🎨 visuals: {streak}",
    "dash.summary.publish": "📰 published: {count}/{target} this week",
    "dash.streak": "{days} days in a row",
    "dash.streak.one": "1 day",
    "dash.streak.zero": "no streak yet",
    "dash.habits": "Habits of the last {weeks} weeks",
    "dash.habit.writing": "✍️ Writing — target: {target} words a day",
    "dash.habit.reading": "📚 Reading — target: {target} minutes a day",
    "dash.habit.visuals": "🎨 Visuals — target: {target} a day",
    "dash.streaks": "Current streak: {current} · longest in a year: {longest}",
    "dash.week_of": "Week of",
    "dash.weekdays": "Mo | Tu | We | Th | Fr | Sa | Su",
    "dash.unit.writing": "{value}",
    "dash.unit.reading": "{value} min",
    "dash.unit.visuals": "{value}",
    "dash.reading_note": "📖",
    "dash.habits_how": (
        "Nothing to log: words count on the day a note is created (`created` property, journal date) and "
        "on the day it grows; reading comes from properties such as `reading: 45` and reading notes; "
        "visuals from images, canvases and Figma links added."
    ),
    "dash.momentum": "Momentum",
    "dash.momentum_columns": "Cluster | Journal (7 d) | Journal (30 d) | Reading that fed it",
    "dash.momentum_none": "Your journal came back to no cluster in the last 30 days.",
    "dash.publishing": "Publishing",
    "dash.publish_target": "Target: {target} a week · streak: {streak}",
    "dash.weeks_streak": "{weeks} weeks in a row",
    "dash.weeks_streak.one": "1 week",
    "dash.weeks_streak.zero": "none yet",
    "dash.publish_columns": "Week of | Published | Pieces",
    "dash.focus": "Focus",
    "dash.focus_none": "No open checkbox in this week's journal.",
    "dash.scorecard": "Thought-leadership scorecard",
    "dash.quiz": "Quiz: {note} — {yes} yes out of {questions} questions",
    "dash.quiz_none": "No quiz: tag your self-assessment note `#quiz`, or name it in `dashboard.quiz.note`.",
    "dash.quiz_unanswered": "{note} has no answers yet. `tlvault scorecard init` turns it into a checklist.",
    "dash.pillar_columns": "Pillar | Score | | Clusters that would move it",
    "dash.weak": "⚠️ to strengthen",
    "dash.no_movers": "no ripe cluster yet",
    "dash.history": "History",
    "dash.history_first": "Date",
    "dash.history_total": "Total",
    "pillar.ideas": "Ideas",
    "pillar.content": "Content",
    "pillar.audience": "Audience",
    "pillar.authority": "Authority",
    "pillar.business": "Business",
    "base.by_stage": "By stage",
    "base.by_ripeness": "By ripeness",
    "base.ripeness": "Ripeness (score)",
    "base.band": "Band",
    "base.stage": "Stage",
    "base.format": "Format",
    "base.members": "Notes",
}

_TABLES: Mapping[str, Mapping[str, str]] = {"fr": _FR, "en": _EN}


def text(language: str, key: str, **values: object) -> str:
    """The sentence `key` in `language` (French when unknown), with `values` filled in."""
    table = _TABLES.get(language, _FR)
    return table[key].format(**values)


def text_count(language: str, key: str, number: int | None, /, **values: object) -> str:
    """Like `text`, with the form `key.one` for 1 and `key.zero` for 0 when the table has them."""
    table = _TABLES.get(language, _FR)
    form = {0: f"{key}.zero", 1: f"{key}.one"}.get(number) if number is not None else None
    if form is not None and form in table:
        key = form
    return table[key].format(**values)


def cluster_labels(language: str, band: str, stage: str, fmt: str) -> dict[str, str]:
    """The band, stage and format of a cluster in `language`, keyed as the sentences use them."""
    return {
        "band": text(language, f"band.{band}"),
        "stage": text(language, f"stage.{stage}"),
        "format": text(language, f"format.{fmt}"),
    }


def decimal(language: str, value: float) -> str:
    """`0.44` in English, `0,44` in French."""
    shown = f"{value:.2f}"
    return shown.replace(".", ",") if language == "fr" else shown


def capitalise(sentence: str) -> str:
    """The sentence with its first letter in upper case."""
    return sentence[:1].upper() + sentence[1:]


# Why a note was skipped or read with a problem: the CLI says it in English; a French note says it
# in French. Each English reason (as written in scan, parse and properties) maps to its French form.
_REASONS_FR: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        # PyYAML's own explanation stays out of French notes: the line is what helps
        (r"^frontmatter is not valid YAML \(line (\d+): .*\)$", r"propriétés en YAML invalide (ligne \1)"),
        (r"^frontmatter is not valid YAML \(.*\)$", "propriétés en YAML invalide"),
        (
            r"^frontmatter uses YAML anchors or aliases, which tlvault does not expand$",
            "les propriétés utilisent des ancres ou des alias YAML, que tlvault ne développe pas",
        ),
        (
            r"^frontmatter is a list, not properties$",
            "les propriétés sont une liste, pas des clés et des valeurs",
        ),
        (
            r"^frontmatter is a single value, not properties$",
            "les propriétés sont une valeur seule, pas des clés",
        ),
        (
            r"^property (.*) is written twice \(the last value is used\)$",
            r"la propriété \1 est écrite deux fois (la dernière compte)",
        ),
        (
            r"^encoded as UTF-16; read it, but Obsidian expects UTF-8$",
            "encodée en UTF-16 : lue quand même, mais Obsidian attend de l’UTF-8",
        ),
        (
            r"^binary content \(.*\), not a Markdown note$",
            "contenu binaire (image, PDF ou archive nommée .md), pas une note",
        ),
        (
            r"^not valid UTF-8 \(byte (0x[0-9a-f]{2}) at offset (\d+)\); read with replacement characters$",
            r"pas de l’UTF-8 valide (octet \1 à la position \2) : lue avec des caractères de remplacement",
        ),
        (
            r"^contains NUL bytes \(first at offset (\d+)\); ignored them$",
            r"contient des octets NUL (le premier à la position \1) : ignorés",
        ),
        (
            r"^larger than max_note_bytes \((.*)\); raise the limit to read it$",
            r"plus grande que max_note_bytes (\1) : relève la limite pour la lire",
        ),
        (
            r"^sync conflict copy; merge it into the original note$",
            "copie de conflit de synchronisation : fusionne-la dans la note d’origine",
        ),
        (
            r"^not a regular file \(a pipe, socket or device\)$",
            "pas un fichier ordinaire (tube, socket ou périphérique)",
        ),
        (r"^symlink loop; not followed$", "boucle de liens symboliques : non suivie"),
        (r"^cannot read \((.*)\)$", r"illisible (\1)"),
        (r"^cannot open folder \((.*)\)$", r"dossier illisible (\1)"),
        (
            r"^file name is not valid UTF-8; rename it$",
            "nom de fichier qui n’est pas de l’UTF-8 : renomme-le",
        ),
        (r"^nested too deeply to parse$", "imbriquée trop profondément pour être lue"),
        (
            r"^internal error while parsing \((.*)\); please report it$",
            r"erreur interne à la lecture (\1) : merci de la signaler",
        ),
        (
            r"^another file has the same name in another Unicode form \(this one is (NF[CD])\); rename one$",
            r"un autre fichier a le même nom sous une autre forme Unicode (ici \1) : renomme l’un des deux",
        ),
        (
            r"^unreadable cluster state \((.*)\); cluster ids start afresh$",
            r"état des clusters illisible (\1) : les identifiants repartent de zéro",
        ),
        (
            r"^became a symlink while tlvault was reading the vault; not followed$",
            "devenue un lien symbolique pendant la lecture : non suivie",
        ),
    )
)


def reason(language: str, english: str) -> str:
    """A skip or warning reason in `language` (English reasons are kept when no translation fits)."""
    if language != "fr":
        return english
    for pattern, french in _REASONS_FR:
        if pattern.match(english):
            return pattern.sub(french, english)
    return english
