"""Seeded synthetic Obsidian vaults with planted topics, for clustering tests and benchmarks.

    python benchmarks/vaultgen.py OUT --notes 10000 --seed 1 [--language fr|en|mixed] [--bad-files]

`generate_vault` returns every file of the vault and the planted answer: the topic of each topic
note, the "ripe" topic (dense, distilled, hub, published piece, recent journal mentions in many
weeks) and the "seed" topic (three to five short, old notes linking mostly to ghosts). The same
arguments always give the same bytes; only the standard library is used.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Vocabulary: sixteen themes per language, forty words each, no word shared between two themes
# (of either language); the same theme in both languages may share loanwords (newsletter, figma).


@dataclass(frozen=True)
class _Theme:
    tag: str  # the topic tag and the planted topic name
    folder: str  # the topic's folder under the ideas folder
    words: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _theme(tag: str, folder: str, words: str) -> _Theme:
    return _Theme(tag, folder, _words(words))


_THEMES_FR = (
    _theme(
        "écriture",
        "Écriture",
        "écriture newsletter brouillon phrase paragraphe style plume texte lecteurs relecture chronique "
        "rédaction manuscrit ponctuation accroche essai récit vocabulaire syntaxe métaphore éditorial "
        "courriel envoi rubrique prose clarté argument nuance carnet journalisme correction verbe "
        "formulation rature feuillet chapitre billet autobiographie narration anecdote",
    ),
    _theme(
        "leadership",
        "Leadership",
        "leadership vision leader mission direction équipe influence confiance exemplarité cap valeurs "
        "charisme décision responsabilité délégation autorité inspiration engagement courage cause "
        "conviction manager management gouvernance pouvoir humilité écoute feedback motivation alignement "
        "culture transformation changement boussole horizon ambition mentor collaborateurs posture stratégie",
    ),
    _theme(
        "monétisation",
        "Monétisation",
        "monétisation produit offre prix tarif vente client formation revenu facture marge lancement "
        "tunnel paiement coaching prestation devis rentabilité upsell panier remboursement garantie acompte "
        "trésorerie bénéfice rémunération licence boutique catalogue commande promotion remise vendeur "
        "acheteur caisse commission affiliation abonnement précommande infopreneur",
    ),
    _theme(
        "apprentissage",
        "Apprentissage",
        "apprentissage lecture livre surlignage bibliothèque auteur citation fiche mémorisation "
        "compréhension curiosité étude savoir connaissance révision annotation marque-page roman ouvrage "
        "page liseuse librairie bibliographie élève professeur cours leçon examen exercice pédagogie "
        "concept théorie encyclopédie manuel enseignement école université diplôme érudition mnémotechnique",
    ),
    _theme(
        "habitudes",
        "Habitudes",
        "habitude constance routine discipline régularité rituel matin réveil sommeil sport méditation "
        "chaîne série rythme effort volonté persévérance objectif progression tracker calendrier planning "
        "minimum répétition automatisme déclencheur récompense friction énergie fatigue repos marche "
        "jogging hydratation alimentation patience procrastination intensité entraînement assiduité",
    ),
    _theme(
        "vidéo",
        "Vidéo",
        "vidéo visuel caméra montage tournage image miniature youtube script plan cadrage lumière "
        "éclairage micro audio sous-titres figma illustration couleur typographie graphisme design schéma "
        "infographie storyboard lentille trépied pixel carrousel photo photographie dessin croquis palette "
        "logo icône diaporama rendu séquence prise",
    ),
    _theme(
        "positionnement",
        "Positionnement",
        "positionnement niche cible persona différenciation marché concurrence concurrent spécialisation "
        "expertise singularité promesse marque identité territoire segment créneau unicité proposition "
        "angle perception notoriété réputation crédibilité légitimité signature manifeste étiquette "
        "catégorie pitch tagline slogan branding benchmark veille secteur domaine spécialiste avatar "
        "distinction",
    ),
    _theme(
        "communauté",
        "Communauté",
        "communauté audience followers membres discussion commentaire réponse partage forum groupe discord "
        "événement rencontre entraide appartenance tribu fidélité fans interaction conversation sondage "
        "webinaire live modération bienveillance ambassadeur bouche-à-oreille réseau relation réciprocité "
        "animateur invitation accueil cercle club salon mastermind parrainage témoignage adhésion",
    ),
    _theme(
        "productivité",
        "Productivité",
        "productivité organisation système tâche projet priorité agenda outil application dossier archive "
        "inbox méthode workflow automatisation raccourci focus concentration interruption notification "
        "délai échéance checklist to-do kanban tableau gabarit processus efficacité capture tri classement "
        "revue bilan pomodoro minuteur batch gestion backlog arborescence",
    ),
    _theme(
        "créativité",
        "Créativité",
        "créativité étincelle intuition imagination muse art artiste création oeuvre originalité "
        "inventivité expérimentation jeu exploration hasard sérendipité contrainte liberté blocage remix "
        "copie emprunt atelier brainstorming esquisse prototype ébauche rêve flânerie émerveillement audace "
        "risque échec tentative itération collage improvisation spontanéité vagabondage bricolage",
    ),
    _theme(
        "bien-être",
        "Bien-être",
        "stress anxiété burnout équilibre bien-être respiration émotion gratitude introspection thérapie "
        "psychologie épuisement sérénité calme pause vacances déconnexion santé corps esprit joie bonheur "
        "tristesse colère peur doute imposteur estime vulnérabilité compassion résilience acceptation "
        "lâcher-prise solitude amitié famille soutien apaisement sophrologie névrose",
    ),
    _theme(
        "réseaux-sociaux",
        "Réseaux sociaux",
        "linkedin post publication algorithme portée impressions hashtag fil viralité visibilité abonnés "
        "twitter instagram tiktok story reel programmation diffusion distribution canal plateforme "
        "statistiques métriques clics partages likes tendance buzz thread repost mention profil bio "
        "bannière hook emoji newsfeed influenceur créateur audimat",
    ),
    _theme(
        "finances",
        "Finances",
        "épargne investissement budget dépense patrimoine bourse action dividende intérêt immobilier loyer "
        "crédit dette retraite assurance fiscalité impôt placement rendement inflation capital liquidité "
        "salaire freelance indépendance compte banque portefeuille diversification etf obligation héritage "
        "économie frugalité minimalisme consommation achat luxe argent cryptomonnaie",
    ),
    _theme(
        "philosophie",
        "Philosophie",
        "philosophie stoïcisme sagesse vertu Sénèque Épictète morale éthique existence mort destin raison "
        "logique vérité absurde plaisir désir devoir conscience âme métaphysique dialectique maxime "
        "aphorisme contemplation ataraxie tempérance prudence justice humanisme existentialisme nihilisme "
        "Socrate Platon Aristote Nietzsche Montaigne épicurisme Spinoza Kant",
    ),
    _theme(
        "technologie",
        "Technologie",
        "technologie intelligence IA données prompt robot logiciel code développeur API serveur cloud "
        "chatbot GPT inférence neurone calcul ordinateur machine numérique internet navigateur extension "
        "plugin requête interface clavier smartphone tablette innovation startup cybersécurité open-source "
        "cryptographie processeur puce silicium octet bug version",
    ),
    _theme(
        "entrepreneuriat",
        "Entrepreneuriat",
        "entrepreneuriat entreprise fondateur associé levée investisseur business croissance scalabilité "
        "recrutement salarié bureau locaux statut micro-entreprise comptable juridique contrat partenariat "
        "négociation fournisseur pivot incubateur accélérateur subvention prêt KPI réunion rétroplanning "
        "roadmap opportunité exécution actionnaire valorisation cofondateur siège holding sous-traitant "
        "embauche prospection",
    ),
)

_THEMES_EN = (
    _theme(
        "writing",
        "Writing",
        "writing newsletter draft sentence paragraph style pen text readers editing column manuscript "
        "punctuation opener essay narrative vocabulary syntax metaphor editorial email issue section prose "
        "clarity argument nuance notebook journalism proofreading verb wording typo memoir chapter blogpost "
        "narration anecdote storytelling copywriting",
    ),
    _theme(
        "leadership",
        "Leadership",
        "leadership vision leader mission direction team influence trust role-model compass values charisma "
        "decision responsibility delegation authority inspiration commitment courage cause conviction "
        "manager management governance power humility listening feedback motivation alignment culture "
        "transformation change horizon ambition mentor colleagues stance strategy purpose",
    ),
    _theme(
        "monetization",
        "Monetization",
        "monetization product offer price pricing sale customer course revenue invoice margin launch "
        "funnel payment coaching service quote profitability upsell cart refund guarantee deposit cashflow "
        "profit compensation license shop catalog order promotion discount seller buyer checkout commission "
        "affiliate subscription preorder bundle",
    ),
    _theme(
        "learning",
        "Learning",
        "learning reading book highlight library author excerpt citation index-card memorization "
        "comprehension curiosity study knowledge revision annotation bookmark novel volume page e-reader "
        "bookstore bibliography student teacher lesson exam exercise pedagogy concept theory encyclopedia "
        "textbook teaching school university degree scholarship mnemonic syllabus",
    ),
    _theme(
        "habits",
        "Habits",
        "habit consistency routine discipline regularity ritual morning wake-up sleep sport meditation chain "
        "streak rhythm effort willpower perseverance goal progress tracker calendar planning minimum "
        "repetition automaticity trigger reward friction energy fatigue rest walking jogging hydration "
        "nutrition patience procrastination intensity workout diligence",
    ),
    _theme(
        "video",
        "Video",
        "video visual camera cut filming image thumbnail youtube script shot framing light lighting "
        "microphone audio subtitles figma illustration color typography graphics design diagram infographic "
        "storyboard lens tripod pixel carousel photo photography drawing sketch palette logo icon slideshow "
        "render sequence take",
    ),
    _theme(
        "positioning",
        "Positioning",
        "positioning niche target persona differentiation market competition competitor specialization "
        "expertise uniqueness promise brand identity territory segment category proposition angle "
        "perception awareness reputation credibility legitimacy signature manifesto label pitch tagline "
        "slogan branding benchmark monitoring sector domain specialist avatar distinction standout expert",
    ),
    _theme(
        "community",
        "Community",
        "community audience followers members discussion comment reply sharing forum group discord event "
        "meetup mutual-aid belonging tribe loyalty fans interaction conversation poll webinar live "
        "moderation kindness ambassador word-of-mouth network relationship reciprocity host invitation "
        "welcome circle club lounge mastermind referral testimonial membership",
    ),
    _theme(
        "productivity",
        "Productivity",
        "productivity organization system task project priority agenda tool app folder archive inbox method "
        "workflow automation shortcut focus concentration interruption notification deadline due-date "
        "checklist to-do kanban board template process efficiency capture sorting filing review batch "
        "timer pomodoro scheduling backlog hierarchy planner",
    ),
    _theme(
        "creativity",
        "Creativity",
        "creativity spark intuition imagination muse art artist creation artwork originality inventiveness "
        "experimentation play exploration chance serendipity constraint freedom block remix copy borrowing "
        "workshop brainstorming doodle prototype rough-draft dream wandering wonder boldness risk failure "
        "attempt iteration collage improvisation spontaneity tinkering daydream",
    ),
    _theme(
        "wellbeing",
        "Wellbeing",
        "stress anxiety burnout balance wellbeing breathing emotion gratitude introspection therapy "
        "psychology exhaustion serenity calm break holiday disconnection health body mind joy happiness "
        "sadness anger fear doubt impostor self-esteem vulnerability compassion resilience acceptance "
        "letting-go solitude friendship family support soothing mindfulness neurosis",
    ),
    _theme(
        "social-media",
        "Social media",
        "linkedin post publishing algorithm reach impressions hashtag feed virality visibility subscribers "
        "twitter instagram tiktok story reel queue broadcast distribution channel platform analytics metrics "
        "clicks shares likes trend buzz thread repost mention profile bio banner hook emoji newsfeed "
        "influencer creator ratings",
    ),
    _theme(
        "finance",
        "Finance",
        "savings investment budget expense wealth stock-market share dividend interest real-estate rent "
        "credit debt retirement insurance taxation tax allocation yield inflation capital liquidity salary "
        "freelance independence account bank portfolio diversification etf bond inheritance economy "
        "frugality minimalism consumption purchase luxury money crypto",
    ),
    _theme(
        "philosophy",
        "Philosophy",
        "philosophy stoicism wisdom virtue Seneca Epictetus morality ethics existence death destiny reason "
        "logic truth absurd pleasure desire duty consciousness soul metaphysics dialectic maxim aphorism "
        "contemplation ataraxia temperance prudence justice humanism existentialism nihilism Socrates Plato "
        "Aristotle Nietzsche Montaigne epicureanism Spinoza Kant",
    ),
    _theme(
        "technology",
        "Technology",
        "technology intelligence AI data prompt robot software code developer API server cloud chatbot GPT "
        "inference neuron computation computer machine digital internet browser extension plugin query "
        "interface keyboard smartphone tablet innovation startup cybersecurity open-source cryptography "
        "processor chip silicon byte bug version",
    ),
    _theme(
        "entrepreneurship",
        "Entrepreneurship",
        "entrepreneurship company founder partner fundraising investor business growth scalability hiring "
        "employee office premises incorporation sole-trader accountant legal contract partnership "
        "negotiation supplier pivot incubator accelerator grant loan KPI meeting timeline roadmap "
        "opportunity execution shareholder valuation cofounder headquarters holding subcontractor "
        "recruitment prospecting",
    ),
)


@dataclass(frozen=True)
class _Lang:
    """Everything language-specific: common words, title templates, headings, folders, statuses."""

    code: str
    themes: tuple[_Theme, ...]
    common: tuple[str, ...]  # stop words and everyday words shared by every topic
    claims: tuple[str, ...]  # claim-like title templates: {A} {a} {b} {c} {de_a} {de_b}
    phrases: tuple[str, ...]  # noun-phrase title templates
    headings: tuple[str, ...]
    summary: str
    links_heading: str
    link_words: tuple[str, ...]  # "voir [[X]]"
    hub: str  # "Carte"
    hub_headings: tuple[str, str, str, str]  # distilled ideas, other ideas, sources, contents
    and_word: str
    inputs: tuple[tuple[str, str], ...]  # (folder under the input folder, title prefix)
    contents: tuple[tuple[str, str, str], ...]  # (folder, title prefix, tag)
    mature: str
    published: str
    draft: str
    growing: tuple[str, str]  # the two statuses of notes being worked on
    ideas_folder: str
    contents_folder: str
    idea_tag: str
    journal_link: str
    journal_tags: str
    focus: str
    focus_verbs: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    book: str  # a ghost book title template
    bad_names: tuple[str, str, str]  # invalid YAML, binary, empty

    def de(self, word: str) -> str:
        """`de x` with the French elision (`d’x` before a vowel), or the word alone in English."""
        if self.code != "fr":
            return word
        return f"d’{word}" if word[0].lower() in "aeiouyhàâéèêëîïôœûù" else f"de {word}"


_FR = _Lang(
    code="fr",
    themes=_THEMES_FR,
    common=_words(
        "le la les un une des du de et en est que qui pour pas plus dans sur avec ce cette il on se ne "
        "par au aux sa ses tout comme mais ou donc très aussi fait être avoir bien sans encore toujours "
        "quand chaque autre même déjà vraiment souvent parfois moins chose temps jour gens travail "
        "question manière exemple moment vie nous"
    ),
    claims=(
        "{A} nourrit {b}",
        "{A} précède {b}",
        "{A} bat {b}",
        "{A} crée {b}",
        "{A} remplace {b}",
        "{A} rend {b} possible",
        "{A} est une forme {de_b}",
        "Pas {de_a} sans {b}",
        "{A} vaut mieux que {b}",
        "{A} révèle {b}",
        "{A} protège {b}",
        "{A} demande {b}",
        "{A} commence par {b}",
    ),
    phrases=(
        "{A} et {b}",
        "{A} au service {de_b}",
        "{A}, {b} et {c}",
        "Entre {a} et {b}",
        "Le rôle {de_a} dans {b}",
        "{A} face à {b}",
    ),
    headings=(
        "Pourquoi",
        "Comment",
        "Exemples",
        "Idée clé",
        "Questions ouvertes",
        "Contexte",
        "Objections",
        "Mise en pratique",
        "Ce que j’en retiens",
        "Pistes",
    ),
    summary="Résumé",
    links_heading="Liens",
    link_words=("voir", "comme dans", "cf.", "à relier à", "prolongé dans", "d’où"),
    hub="Carte",
    hub_headings=("Idées mûres", "En cours", "Sources", "Contenus"),
    and_word="et",
    inputs=(("Podcasts", "Podcast — "), ("Articles", "Article — "), ("Conférences", "Conférence — ")),
    contents=(
        ("Newsletter", "Newsletter {n:02d} — ", "contenu/newsletter"),
        ("LinkedIn", "Post LinkedIn {n:02d} — ", "contenu/linkedin"),
    ),
    mature="mûr",
    published="publié",
    draft="brouillon",
    growing=("graine", "en cours"),
    ideas_folder="2 - Idées",
    contents_folder="3 - Contenus",
    idea_tag="idée",
    journal_link="Lien : ",
    journal_tags="Tags : #journal",
    focus="Focus du jour",
    focus_verbs=("Relire", "Avancer sur", "Écrire sur", "Préparer", "Noter", "Creuser"),
    first_names=("Camille", "Julien", "Léa", "Thomas", "Claire", "Hugo", "Sarah", "Antoine", "Manon"),
    last_names=("Martin", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fontaine", "Mercier", "Garnier"),
    book="Le petit traité {de_a}",
    bad_names=("Propriétés cassées", "Capture d’écran", "Note sans titre"),
)

_EN = _Lang(
    code="en",
    themes=_THEMES_EN,
    common=_words(
        "the a an of and to in is that it for on with as this be are not but or by from at more about "
        "what when one all so can will just very also make thing things time day people work way example "
        "moment life point case need really often always never every other same already each still we my "
        "our"
    ),
    claims=(
        "{A} drives {b}",
        "{A} comes before {b}",
        "{A} beats {b}",
        "{A} creates {b}",
        "{A} replaces {b}",
        "{A} makes {b} possible",
        "{A} is a form of {b}",
        "No {a} without {b}",
        "{A} matters more than {b}",
        "{A} reveals {b}",
        "{A} protects {b}",
        "{A} requires {b}",
        "{A} starts with {b}",
    ),
    phrases=(
        "{A} and {b}",
        "{A} in service of {b}",
        "{A}, {b} and {c}",
        "Between {a} and {b}",
        "The role of {a} in {b}",
        "{A} versus {b}",
    ),
    headings=(
        "Why",
        "How",
        "Examples",
        "Key idea",
        "Open questions",
        "Context",
        "Objections",
        "In practice",
        "What I take away",
        "Leads",
    ),
    summary="Summary",
    links_heading="Links",
    link_words=("see", "as in", "cf.", "related to", "continued in", "hence"),
    hub="Map",
    hub_headings=("Mature ideas", "In progress", "Sources", "Content"),
    and_word="and",
    inputs=(("Podcasts", "Podcast — "), ("Articles", "Article — "), ("Talks", "Talk — ")),
    contents=(
        ("Newsletter", "Newsletter {n:02d} — ", "content/newsletter"),
        ("LinkedIn", "LinkedIn post {n:02d} — ", "content/linkedin"),
    ),
    mature="mature",
    published="published",
    draft="draft",
    growing=("seed", "in progress"),
    ideas_folder="2 - Ideas",
    contents_folder="3 - Content",
    idea_tag="idea",
    journal_link="Link: ",
    journal_tags="Tags: #journal",
    focus="Today's focus",
    focus_verbs=("Reread", "Work on", "Write about", "Prepare", "Note", "Dig into"),
    first_names=("Alex", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Riley", "Sam", "Quinn"),
    last_names=("Walker", "Hughes", "Porter", "Bennett", "Foster", "Hayes", "Reed", "Brooks", "Carter"),
    book="The Little Book of {A}",
    bad_names=("Broken properties", "Screenshot", "Untitled"),
)

_LANGS = {"fr": _FR, "en": _EN}
LANGUAGES = ("fr", "en", "mixed")
INPUT_FOLDER = "1 - Input"
JOURNAL_FOLDER = "Journal"
ARCHIVE_FOLDER = "4 - Archives"
RECENT_DAYS = 70  # "the last ten weeks": the ripe topic is mentioned in journals of many of these weeks
NOTES_PER_TOPIC = 400  # large vaults get max(topics, notes // 400) topics
MIN_NOTES_PER_TOPIC = 8
CROSS_TOPIC = 0.07  # share of the extra links (after the first) that leave the topic: ~5 % of all links


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class GeneratedVault:
    """A synthetic vault and its planted answer."""

    files: dict[str, str | bytes]  # vault-relative path -> content
    topics: dict[str, str]  # rel of every topic note (not journal, not bad files) -> planted topic name
    ripe_topic: str
    seed_topic: str
    journal: tuple[str, ...]  # rels of the journal notes
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topic name -> its words


# --------------------------------------------------------------------------------------------
# The plan: topics and notes before any text is written


@dataclass(slots=True)
class _Topic:
    name: str
    folder: str
    lang: _Lang
    vocab: tuple[str, ...]
    pop: list[str]  # words to draw text from: ~70 % topic words (frequent ones first), ~30 % common
    kind: str = "growing"  # ripe, seed or growing
    size: int = 0  # planned number of notes
    notes: list[int] = field(default_factory=list)
    subs: tuple[str, ...] = ()  # sub-themes: nested tags and sub-folders
    by_created: list[tuple[date, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Note:
    topic: int
    kind: str  # idea, input, content, published, hub
    folder: str
    title: str
    status: str | None
    created: datetime
    updated: datetime
    words: int
    summary: bool
    tags: tuple[str, ...]
    headings: tuple[str, ...] = ()
    links: list[int] = field(default_factory=list)
    ghosts: list[str] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return f"{self.folder}/{self.title}.md"


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _population(vocab: tuple[str, ...], common: tuple[str, ...]) -> list[str]:
    """256 words to draw text from with one random byte each: 180 topic words, 76 common words (70 / 30).

    Topic words are Zipf-ish: each quarter of the list weighs 6, 5, 4, then 3 entries per word.
    """
    quarter = len(vocab) // 4
    pop = [word for i, word in enumerate(vocab) for _ in range(6 - i // quarter)]
    pop.extend(common[i % len(common)] for i in range(256 - len(pop)))
    return pop


_PAIRS = list(itertools.combinations(range(16), 2))
random.Random(16).shuffle(_PAIRS)


def _topic_spec(
    index: int, order: list[int], pairs: list[tuple[int, int]], lang: _Lang
) -> tuple[str, str, tuple[str, ...]]:
    """Name, folder and words of topic `index`: one theme, then pairs of themes (half of each list)."""
    if index < len(order):
        theme = lang.themes[order[index]]
        return theme.tag, theme.folder, theme.words
    rank, pair = divmod(index - len(order), len(pairs))
    a, b = (lang.themes[i] for i in pairs[pair])
    suffix = f"-{rank + 1}" if rank else ""
    name = f"{a.tag}-{b.tag}{suffix}"
    folder = f"{a.folder} {lang.and_word} {b.folder.lower()}{suffix.replace('-', ' ')}"
    size = len(a.words)
    start_a = (pairs[pair][1] * 5 + rank * 13) % size
    start_b = (pairs[pair][0] * 5 + rank * 13 + size // 2) % size
    half_a = [a.words[(start_a + k) % size] for k in range(size // 2)]
    half_b = [b.words[(start_b + k) % size] for k in range(size // 2)]
    words = tuple(w for duo in zip(half_a, half_b, strict=True) for w in duo)
    return name, folder, words


class _Builder:
    """Plans topics and notes, links them, then renders every file."""

    def __init__(self, rng: random.Random, language: str, today: date) -> None:
        self.rng = rng
        self.rand = rng.random
        self.language = language
        self.vlang = _EN if language == "en" else _FR
        self.today = today
        self.midnight = datetime(today.year, today.month, today.day)
        self.topics: list[_Topic] = []
        self.notes: list[_Note] = []
        self.used: set[str] = set()
        self.numbers: dict[str, itertools.count[int]] = {}  # one numbering per kind of content

    # ---- dates

    def moment(self, days_back: float) -> datetime:
        """A time between 07:00 and 23:00, `days_back` whole days before today."""
        return (
            self.midnight - timedelta(days=int(days_back)) + timedelta(minutes=420 + int(self.rand() * 960))
        )

    def dates(
        self, created_back: tuple[float, float], updated_back: tuple[float, float]
    ) -> tuple[datetime, datetime]:
        """`created` and `updated` moments drawn from ranges of days before today, updated ≥ created."""
        c_back = created_back[0] + self.rand() * (created_back[1] - created_back[0])
        low = min(updated_back[0], c_back)
        u_back = low + self.rand() * (min(updated_back[1], c_back) - low)
        created, updated = self.moment(c_back), self.moment(u_back)
        if updated <= created:
            updated = min(
                created + timedelta(minutes=5 + int(self.rand() * 50)), created.replace(hour=23, minute=59)
            )
        return created, updated

    # ---- titles

    def title(self, topic: _Topic, claim: bool, prefix: str = "") -> str:
        """A title unique across the vault (case-insensitive), from the topic's words."""
        lang = topic.lang
        templates = lang.claims if claim else lang.phrases
        title = ""
        vocab, rand = topic.vocab, self.rand
        for _ in range(40):
            a, b, c = (
                vocab[int(rand() * len(vocab))],
                vocab[int(rand() * len(vocab))],
                vocab[int(rand() * len(vocab))],
            )
            if len({a, b, c}) < 3:
                continue
            template = templates[int(self.rand() * len(templates))]
            text = template.format(A=_cap(a), a=a, b=b, c=c, de_a=lang.de(a), de_b=lang.de(b))
            title = prefix + (_cap(text) if prefix else text)
            if self.reserve(title):
                return title
        for n in itertools.count(2):
            if self.reserve(f"{title} {n}"):
                return f"{title} {n}"
        raise AssertionError("unreachable")

    def reserve(self, title: str) -> bool:
        key = title.casefold()
        if key in self.used:
            return False
        self.used.add(key)
        return True

    # ---- topics

    def plan_topics(self, count: int) -> tuple[int, int]:
        """Create the topics; return the indices of the ripe and the seed topic.

        Topics beyond the sixteen themes pair two themes, never the ripe's or the seed's: those two
        keep a vocabulary of their own at any size.
        """
        order = self.rng.sample(range(16), 16)
        ripe, seed = self.rng.sample(range(min(count, 16)), 2)
        pairs = [p for p in _PAIRS if order[ripe] not in p and order[seed] not in p]
        for index in range(count):
            lang = self.vlang if self.language != "mixed" else (_FR if index % 2 == 0 else _EN)
            name, folder, words = _topic_spec(index, order, pairs, lang)
            topic = _Topic(name, folder, lang, words, _population(words, lang.common))
            topic.subs = tuple(self.rng.sample(words[:20], 3))
            self.topics.append(topic)
        self.topics[ripe].kind, self.topics[seed].kind = "ripe", "seed"
        return ripe, seed

    def sizes(self, total: int, ripe: int, seed: int) -> list[int]:
        """Notes per topic: 3–5 for the seed, the rest shared with some spread, a bit more for the ripe."""
        count = len(self.topics)
        weights = [0.6 + 0.8 * self.rand() for _ in range(count)]
        weights[ripe] *= 1.25
        weights[seed] = 0.0
        sizes = [0] * count
        sizes[seed] = 3 + int(self.rand() * 3)
        rest, scale = total - sizes[seed], sum(weights)
        for i in range(count):
            if i != seed:
                sizes[i] = max(6, int(rest * weights[i] / scale))
        others = [i for i in range(count) if i != seed]
        while (diff := total - sum(sizes)) != 0:
            pick = min(others, key=sizes.__getitem__) if diff > 0 else max(others, key=sizes.__getitem__)
            sizes[pick] += 1 if diff > 0 else -1
        return sizes

    # ---- notes

    def add(self, note: _Note) -> int:
        self.notes.append(note)
        self.topics[note.topic].notes.append(len(self.notes) - 1)
        return len(self.notes) - 1

    def tags(self, topic: _Topic, share: float, *extra: str) -> tuple[str, ...]:
        """The topic tag on `share` of notes (sometimes nested), extra tags, the trivial idea tag on half."""
        tags: list[str] = []
        if self.rand() < share:
            tags.append(topic.name)
            if self.rand() < 0.2:
                tags.append(f"{topic.name}/{topic.subs[int(self.rand() * 3)].lower()}")
        tags.extend(extra)
        if self.rand() < 0.5:
            tags.append(self.vlang.idea_tag)
        return tuple(tags)

    def headings(self, lang: _Lang, words: int, summary: bool) -> tuple[str, ...]:
        count = (
            (0 if self.rand() < 0.5 else 1)
            if words < 80
            else (1 if words < 160 else 2) + int(self.rand() * 2)
        )
        picked = tuple(self.rng.sample(lang.headings, count))
        return (lang.summary, *picked) if summary else picked

    def idea_folder(self, topic: _Topic) -> str:
        """The topic's folder, or one of its 1–3 sub-folders (larger topics have more)."""
        base = f"{self.vlang.ideas_folder}/{topic.folder}"
        size = topic.size
        subs = 0 if size < 15 else 1 + (size >= 60) + (size >= 200)
        if subs and self.rand() < 0.35:
            return f"{base}/{_cap(topic.subs[int(self.rand() * subs)])}"
        return base

    def idea(
        self,
        t: int,
        status: str | None,
        words: int,
        summary: bool,
        claim: bool,
        when: tuple[datetime, datetime],
    ) -> None:
        topic = self.topics[t]
        title = self.title(topic, claim)
        heads = self.headings(topic.lang, words, summary)
        self.add(
            _Note(
                t,
                "idea",
                self.idea_folder(topic),
                title,
                status,
                *when,
                words,
                summary,
                self.tags(topic, 0.85),
                heads,
            )
        )

    def source(self, t: int, when: tuple[datetime, datetime]) -> None:
        topic = self.topics[t]
        folder, prefix = topic.lang.inputs[int(self.rand() * len(topic.lang.inputs))]
        words = 60 + int(self.rand() * 160)
        title = self.title(topic, False, prefix)
        heads = self.headings(topic.lang, words, False)
        tags = self.tags(topic, 0.8, "source")
        self.add(_Note(t, "input", f"{INPUT_FOLDER}/{folder}", title, None, *when, words, False, tags, heads))

    def content(
        self, t: int, status: str, words: int, when: tuple[datetime, datetime], kind: str = "content"
    ) -> int:
        topic = self.topics[t]
        folder, prefix, tag = topic.lang.contents[0 if kind == "published" else int(self.rand() * 2)]
        number = next(self.numbers.setdefault(folder, itertools.count(1)))
        title = self.title(topic, True, prefix.format(n=number))
        heads = self.headings(topic.lang, words, False)
        tags = self.tags(topic, 0.8, tag)
        rel_folder = f"{self.vlang.contents_folder}/{folder}"
        return self.add(_Note(t, kind, rel_folder, title, status, *when, words, False, tags, heads))

    def plan_ripe(self, t: int, size: int) -> None:
        """Hub, one published piece, a few sources, mostly distilled claims, all recently updated."""
        topic, lang = self.topics[t], self.topics[t].lang
        hub_title = f"{lang.hub} — {topic.folder}"
        self.reserve(hub_title)
        hub = _Note(
            t,
            "hub",
            f"{self.vlang.ideas_folder}/{topic.folder}",
            hub_title,
            None,
            *self.dates((120, 300), (1, 10)),
            40 + int(self.rand() * 25),
            False,
            ("moc",),
        )
        self.add(hub)
        self.content(
            t, lang.published, 220 + int(self.rand() * 70), self.dates((60, 150), (14, 40)), "published"
        )
        inputs, drafts = max(1, round(0.08 * size)), round(0.03 * size)
        for _ in range(inputs):
            self.source(t, self.dates((90, 330), (20, 60)))
        for _ in range(drafts):
            self.content(t, lang.draft, 120 + int(self.rand() * 140), self.dates((40, 200), (2, 30)))
        for _ in range(size - 2 - inputs - drafts):
            when = self.dates((40, 330), (1, 45))
            if self.rand() < 0.85:
                self.idea(t, lang.mature, 200 + int(self.rand() * 80), True, True, when)
            else:
                self.idea(t, lang.growing[1], 90 + int(self.rand() * 100), False, self.rand() < 0.7, when)

    def plan_growing(self, t: int, size: int) -> None:
        """Sources, a few drafts, ideas at every stage, updated 1 to 18 months ago."""
        lang = self.topics[t].lang
        inputs, drafts = max(1, round(0.12 * size)), round(0.05 * size)
        for _ in range(inputs):
            self.source(t, self.dates((30, 540), (30, 540)))
        for _ in range(drafts):
            self.content(t, lang.draft, 100 + int(self.rand() * 160), self.dates((30, 540), (30, 540)))
        for _ in range(size - inputs - drafts):
            when, roll = self.dates((30, 540), (30, 540)), self.rand()
            if roll < 0.08:
                self.idea(t, lang.mature, 180 + int(self.rand() * 80), True, True, when)
                continue
            words = int(min(240.0, max(45.0, self.rng.lognormvariate(4.8, 0.45))))
            status = None if roll < 0.4 else lang.growing[0] if roll < 0.65 else lang.growing[1]
            self.idea(t, status, words, False, self.rand() < 0.5, when)

    def plan_seed(self, t: int, size: int) -> None:
        """Short, old, untagged-status notes whose links go mostly to ghosts (people and a book)."""
        topic, lang = self.topics[t], self.topics[t].lang
        people = self.rng.sample([f"{f} {last}" for f in lang.first_names for last in lang.last_names], 2)
        word = self.rng.choice(topic.vocab)
        ghosts = [p for p in people if self.reserve(p)]
        book = lang.book.format(A=_cap(word), de_a=lang.de(word))
        if self.reserve(book):
            ghosts.append(book)
        for _ in range(size):
            words = 40 + int(self.rand() * 41)
            note = _Note(
                t,
                "idea",
                self.vlang.ideas_folder,
                self.title(topic, False),
                None,
                *self.dates((365, 540), (360, 540)),
                words,
                False,
                self.tags(topic, 0.7),
                self.headings(lang, words, False),
            )
            note.ghosts = self.rng.sample(ghosts, min(2, len(ghosts)))
            self.add(note)

    # ---- links

    def link_topic(self, t: int, others: list[int]) -> None:
        """A connected, power-law-ish link graph inside the topic, a few links to other topics."""
        topic = self.topics[t]
        members = [i for i in topic.notes if self.notes[i].kind != "hub"]
        self.rng.shuffle(members)
        cum = list(itertools.accumulate(1.0 / (r + 1) ** 0.85 for r in range(len(members))))
        ripe, seed = topic.kind == "ripe", topic.kind == "seed"
        cap = min(30, len(members) - 1)
        for r, idx in enumerate(members):
            links = self.notes[idx].links
            if len(members) > 1:
                links.append(members[bisect.bisect(cum, self.rand() * cum[r - 1])] if r else members[1])
            if seed:
                continue
            degree = min(int(self.rng.paretovariate(1.1 if ripe else 1.4)) + (2 if ripe else 0), cap)
            for _ in range(degree - 1):
                target = self.target(members, cum, others)
                if target != idx and target not in links:
                    links.append(target)
        if ripe:
            self.link_hub(topic, members)

    def target(self, members: list[int], cum: list[float], others: list[int]) -> int:
        if others and self.rand() < CROSS_TOPIC:
            notes = self.topics[others[int(self.rand() * len(others))]].notes
            return notes[int(self.rand() * len(notes))]
        return members[bisect.bisect(cum, self.rand() * cum[-1])]

    def link_hub(self, topic: _Topic, members: list[int]) -> None:
        """The hub links to most of the topic; many notes link back; the published piece cites ideas."""
        hub = next(i for i in topic.notes if self.notes[i].kind == "hub")
        listed = [i for i in sorted(members) if self.rand() < 0.85] or members[:1]
        self.notes[hub].links = listed
        mature = [i for i in members if self.notes[i].summary]
        for idx in members:
            note = self.notes[idx]
            if self.rand() < 0.45:
                note.links.append(hub)
            if note.kind == "published" and mature:
                picks = self.rng.sample(mature, min(len(mature), 3 + int(self.rand() * 4)))
                note.links.extend(i for i in picks if i not in note.links)

    # ---- rendering

    def wikilink(self, idx: int) -> str:
        note = self.notes[idx]
        roll = self.rand()
        if roll < 0.12:
            alias = self.rng.choice(self.topics[note.topic].vocab) if roll < 0.06 else note.title.lower()
            return f"[[{note.title}|{alias}]]"
        if roll < 0.25 and note.headings:
            return f"[[{note.title}#{note.headings[int(self.rand() * len(note.headings))]}]]"
        return f"[[{note.title}]]"

    def prose(self, pop: list[str], count: int) -> list[str]:
        """Sentences of 6–16 words (a comma in about a third of the longer ones), `count` words in all."""
        words = list(map(pop.__getitem__, self.rng.randbytes(count)))
        dice = self.rng.randbytes(count // 3 + 4)  # two bytes per sentence: its length, its comma
        sentences: list[str] = []
        start = k = 0
        while start < count:
            end = start + 6 + dice[k] % 11
            if count - end < 4:
                end = count
            size, comma = end - start, dice[k + 1]
            k += 2
            if size >= 9 and comma < 90:
                words[start + 3 + comma % (size - 6)] += ","
            first = words[start]
            words[start] = first[0].upper() + first[1:]
            sentences.append(" ".join(words[start:end]) + ".")
            start = end
        return sentences

    def weave(self, sections: list[list[str]], links: list[str], lang: _Lang) -> None:
        """Put each link at the end of a random sentence: `…, voir [[X]].`"""
        for link in links:
            sentences = sections[int(self.rand() * len(sections))]
            k = int(self.rand() * len(sentences))
            word = lang.link_words[int(self.rand() * len(lang.link_words))]
            sentences[k] = f"{sentences[k][:-1]}, {word} {link}."

    def body(self, note: _Note, topic: _Topic) -> str:
        lang = topic.lang
        links = [self.wikilink(i) for i in note.links] + [f"[[{g}]]" for g in note.ghosts]
        inline, listed = (links, []) if len(links) <= 3 else (links[:2], links[2:])
        heads: list[str | None] = [*note.headings] if note.summary else [None, *note.headings]
        weights = [0.5 if h == lang.summary else 1.0 + self.rand() for h in heads]
        scale = sum(weights)
        sections = [self.prose(topic.pop, max(6, round(note.words * w / scale))) for w in weights]
        self.weave(sections, inline, lang)
        blocks: list[str] = []
        for heading, sentences in zip(heads, sections, strict=True):
            if heading:
                blocks.append(f"## {heading}")
            if heading and heading != lang.summary and self.rand() < 0.3:
                blocks.append("\n".join(f"- {s}" for s in sentences))
            else:
                blocks.extend(" ".join(sentences[k : k + 4]) for k in range(0, len(sentences), 4))
        if listed:
            blocks.append(f"## {lang.links_heading}")
            blocks.append("\n".join(f"- {link}" for link in listed))
        return "\n\n".join(blocks) + "\n"

    def hub_body(self, note: _Note, topic: _Topic) -> str:
        lang = topic.lang
        groups: list[list[str]] = [[], [], [], []]
        for idx in note.links:
            target = self.notes[idx]
            group = 2 if target.kind == "input" else 3 if target.kind in ("content", "published") else 0
            groups[group if target.summary or group else 1].append(f"- [[{target.title}]]")
        blocks = [" ".join(self.prose(topic.pop, note.words))]
        for heading, items in zip(lang.hub_headings, groups, strict=True):
            if items:
                blocks.extend((f"## {heading}", "\n".join(items)))
        return "\n\n".join(blocks) + "\n"

    def render(self, note: _Note) -> str:
        topic = self.topics[note.topic]
        lines = [
            "---",
            f"created: {note.created:%Y-%m-%dT%H:%M}",
            f"updated: {note.updated:%Y-%m-%dT%H:%M}",
            f"tags: [{', '.join(note.tags)}]",
        ]
        if note.status:
            lines.append(f"status: {note.status}")
        lines.append("---\n")
        body = self.hub_body(note, topic) if note.kind == "hub" else self.body(note, topic)
        return "\n".join(lines) + body

    # ---- journal

    def journal_dates(self, count: int) -> list[date]:
        """Distinct days: one in each of the last ten ISO weeks (or as many as there are), the rest older."""
        weeks: dict[tuple[int, int], list[date]] = {}
        for back in range(RECENT_DAYS):
            day = self.today - timedelta(days=back)
            iso = day.isocalendar()
            weeks.setdefault((iso.year, iso.week), []).append(day)
        groups = list(weeks.values())[:10]
        recent = min(count, max(10, count // 6), RECENT_DAYS)
        if recent <= len(groups):
            chosen = [self.rng.choice(g) for g in self.rng.sample(groups, recent)]
        else:
            chosen = [self.rng.choice(g) for g in groups]
            taken = set(chosen)
            left = [self.today - timedelta(days=b) for b in range(RECENT_DAYS)]
            chosen += self.rng.sample([d for d in left if d not in taken], recent - len(chosen))
        older = count - recent
        span = max(540, RECENT_DAYS + older * 5 // 4)
        chosen += [
            self.today - timedelta(days=b) for b in self.rng.sample(range(RECENT_DAYS, span + 1), older)
        ]
        return sorted(chosen)

    def cite(self, topic: _Topic, day: date, count: int) -> list[int]:
        """`count` notes of the topic, preferably created by `day`."""
        known = bisect.bisect(topic.by_created, (day, len(self.notes)))
        pool = topic.by_created[:known] if known >= count else topic.by_created
        return [pool[k][1] for k in self.rng.sample(range(len(pool)), min(count, len(pool)))]

    def paragraph(self, topic: _Topic, day: date, lang: _Lang) -> str:
        """2–4 sentences of one topic co-citing 2–3 of its notes."""
        cited = self.cite(topic, day, 2 + (self.rand() < 0.4))
        pop = topic.pop if topic.lang is lang else _population(topic.vocab, lang.common)
        sentences = self.prose(pop, 25 + int(self.rand() * 45))
        self.weave([sentences], [self.wikilink(i) for i in cited], lang)
        return " ".join(sentences)

    def focus(self, topics: list[_Topic], lang: _Lang) -> str:
        items = []
        for _ in range(3 + int(self.rand() * 3)):
            topic = topics[int(self.rand() * len(topics))]
            words = " ".join(self.rng.sample(topic.vocab, 2))
            box = "x" if self.rand() < 0.3 else " "
            items.append(f"- [{box}] {self.rng.choice(lang.focus_verbs)} {words}")
        return f"## {lang.focus}\n\n" + "\n".join(items)

    def journal(self, count: int) -> dict[str, str]:
        """Daily notes: header lines, then paragraphs each about one topic (the ripe one every recent day)."""
        lang = self.vlang
        for topic in self.topics:
            topic.by_created = sorted((self.notes[i].created.date(), i) for i in topic.notes)
        active = [t for t in self.topics if t.kind != "seed"]
        cum = list(itertools.accumulate(len(t.notes) for t in active))
        ripe = next(t for t in self.topics if t.kind == "ripe")
        recent_from = self.today - timedelta(days=RECENT_DAYS - 1)
        files: dict[str, str] = {}
        previous: str | None = None
        for day in self.journal_dates(count):
            recent = day >= recent_from
            chosen = [
                ripe
                if recent and (p == 0 or self.rand() < 0.3)
                else active[bisect.bisect(cum, self.rand() * cum[-1])]
                for p in range(2 + int(self.rand() * 3))
            ]
            created = (
                self.midnight
                - timedelta(days=(self.today - day).days)
                + timedelta(minutes=420 + int(self.rand() * 780))
            )
            updated = created + timedelta(minutes=10 + int(self.rand() * 170))
            head = ["---", f"created: {created:%Y-%m-%dT%H:%M}", f"updated: {updated:%Y-%m-%dT%H:%M}", "---"]
            if previous:
                head.append(f"{lang.journal_link}[[{previous}]]")
            head.append(lang.journal_tags)
            blocks = ["\n".join(head)] + [self.paragraph(t, day, lang) for t in chosen]
            if self.rand() < 0.3:
                blocks.append(self.focus(chosen, lang))
            previous = day.isoformat()
            files[f"{JOURNAL_FOLDER}/{previous}.md"] = "\n\n".join(blocks) + "\n"
        return files

    # ---- bad files

    def bad_files(self, files: dict[str, str | bytes], rng: random.Random) -> dict[str, str | bytes]:
        """Invalid YAML, a PNG named .md, an empty note; and one topic note rewritten with CRLF."""
        lang = self.vlang
        broken_yaml, binary, empty = (f"{ARCHIVE_FOLDER}/{name}.md" for name in lang.bad_names)
        ripe = next(t for t in self.topics if t.kind == "ripe")
        target = self.notes[ripe.notes[-1]].title
        growing = [
            i for t in self.topics if t.kind == "growing" for i in t.notes if self.notes[i].kind == "idea"
        ]
        crlf = self.notes[rng.choice(growing or ripe.notes)].rel
        text = files[crlf]
        assert isinstance(text, str)
        return {
            broken_yaml: (
                "---\ntitre: Réunion: bilan: mars\ncreated: 2026-03-31T18:02\ntags: [archive, bilan\n"
                f"participants: moi, Idriss\n---\nBilan rapide du mois. Relire [[{target}]].\n"
            ),
            binary: _png(),
            empty: "",
            crlf: text.replace("\n", "\r\n"),
        }


def _png() -> bytes:
    """A valid 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------------------------
# Public API


def generate_vault(
    notes: int = 120,
    *,
    seed: int = 1,
    topics: int = 6,
    language: str = "fr",
    today: date = date(2026, 11, 20),
    bad_files: bool = False,
) -> GeneratedVault:
    """A vault of `notes` topic notes in max(topics, notes // 400) planted topics, plus journal notes."""
    count = max(topics, notes // NOTES_PER_TOPIC)
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    if topics < 2:
        raise ValueError(f"topics must be at least 2 (one ripe, one seed), got {topics}")
    if notes < MIN_NOTES_PER_TOPIC * count:
        raise ValueError(f"{count} topics need at least {MIN_NOTES_PER_TOPIC * count} notes, got {notes}")
    builder = _Builder(random.Random(seed), language, today)
    ripe, seed_topic = builder.plan_topics(count)
    for t, size in enumerate(builder.sizes(notes, ripe, seed_topic)):
        kind = builder.topics[t].kind
        builder.topics[t].size = size
        plan = (
            builder.plan_ripe
            if kind == "ripe"
            else builder.plan_seed
            if kind == "seed"
            else builder.plan_growing
        )
        plan(t, size)
    active = [t for t in range(count) if t != seed_topic]
    for t in range(count):
        builder.link_topic(t, [o for o in active if o != t])
    files: dict[str, str | bytes] = {note.rel: builder.render(note) for note in builder.notes}
    journal = builder.journal(max(6, round(notes / 10)))
    files.update(journal)
    if bad_files:
        files.update(builder.bad_files(files, random.Random(seed * 7919 + 1)))
    return GeneratedVault(
        files=dict(sorted(files.items())),
        topics={
            note.rel: builder.topics[note.topic].name for note in sorted(builder.notes, key=lambda n: n.rel)
        },
        ripe_topic=builder.topics[ripe].name,
        seed_topic=builder.topics[seed_topic].name,
        journal=tuple(sorted(journal)),
        vocabulary={t.name: t.vocab for t in builder.topics},
    )


def write_vault(vault: GeneratedVault, root: Path) -> None:
    """Write every file of `vault` under `root` (UTF-8, bytes as given) and create `root/.obsidian/`."""
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    for rel, content in vault.files.items():
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def main(argv: list[str] | None = None) -> int:
    """Generate a vault into an empty or new folder and print a one-line summary."""
    parser = argparse.ArgumentParser(
        prog="vaultgen.py", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("out", type=Path, help="folder to write the vault into (new or empty)")
    parser.add_argument("--notes", type=int, default=120, help="topic notes (journal notes come on top)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--topics", type=int, default=6, help="minimum number of topics")
    parser.add_argument("--language", choices=LANGUAGES, default="fr")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 20), help="YYYY-MM-DD")
    parser.add_argument("--bad-files", action="store_true", help="add invalid, binary, empty and CRLF notes")
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        parser.error(f"{out} exists and is not an empty folder")
    started = time.perf_counter()
    try:
        vault = generate_vault(
            args.notes,
            seed=args.seed,
            topics=args.topics,
            language=args.language,
            today=args.today,
            bad_files=args.bad_files,
        )
    except ValueError as exc:
        parser.error(str(exc))
    write_vault(vault, out)
    others = len(vault.files) - len(vault.topics) - len(vault.journal)
    print(
        f"{out}: {len(vault.topics)} topic notes in {len(set(vault.topics.values()))} topics "
        f"(ripe: {vault.ripe_topic}, seed: {vault.seed_topic}), {len(vault.journal)} journal notes, "
        f"{others} other files; {time.perf_counter() - started:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
