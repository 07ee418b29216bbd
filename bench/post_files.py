"""Post files for ``campaign check``: messages in three languages, as the team writes them.

Each message is one entry of a ``posts:`` list with ``en``, ``fr`` and ``es``
versions (three posts), 15 minutes after the previous message, French and
Spanish 5 and 10 minutes later. Texts are built from the campaign's own
sentences to lengths a real post has (120 to 250 characters; French and
Spanish carry accents, so some exceed 280 UTF-8 bytes and have to be counted
by X's rules), a link on about a third of them, an emoji on a tenth, the
12-reasons graphic on a tenth and a longer Facebook variant on a twentieth.
Every file passes ``campaign check`` with the config of
:func:`bench.campaign.campaign_data` (``real_accounts=True``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.campaign import CALLS, HASHTAG

SENTENCES: dict[str, list[str]] = {
    "en": [
        "States meet in Lausanne for the Second Review Conference of the Convention on Cluster Munitions.",
        "108 States Parties and counting: every state still outside, join the Treaty.",
        "Cluster munitions kill and maim civilians long after the fighting ends.",
        "Survivors are here to hold states to their promises: assistance, inclusion and rights.",
        "Clearance gives land back to farmers and schools back to children.",
        "Five years ago the Dubrovnik Action Plan set a goal of 130 States Parties.",
        "Stockpiles destroyed means lives saved.",
        "Ask your government where it stands on the ban.",
        "Every submunition cleared is a tragedy prevented.",
        "Girls, boys, women and men deserve to live without fear of unexploded bombs.",
    ],
    "fr": [
        "Les États se retrouvent à Lausanne pour la deuxième Conférence d'examen de la Convention.",
        "Déjà 108 États parties : États qui n'y êtes pas encore, rejoignez le traité !",
        "Les armes à sous-munitions tuent et mutilent des civils longtemps après les combats.",
        "Les victimes sont là pour que les États tiennent leurs promesses : assistance, inclusion, droits.",
        "La dépollution rend les terres aux agriculteurs et les écoles aux enfants.",
        "Il y a cinq ans, le plan d'action de Dubrovnik visait 130 États parties.",
        "Des stocks détruits, ce sont des vies épargnées.",
        "Demandez à votre gouvernement où il en est de l'interdiction.",
        "Chaque sous-munition enlevée est une tragédie évitée.",
        "Filles, garçons, femmes et hommes méritent de vivre sans peur des bombes non explosées.",
    ],
    "es": [
        "Los Estados se reúnen en Lausana para la Segunda Conferencia de Examen de la Convención.",
        "Ya son 108 Estados Partes: los que faltan, únanse al Tratado.",
        "Las municiones en racimo matan y mutilan a civiles mucho después de los combates.",
        "Las víctimas están aquí para que los Estados cumplan: asistencia, inclusión y derechos.",
        "El desminado devuelve la tierra a los agricultores y las escuelas a los niños.",
        "Hace cinco años, el Plan de Acción de Dubrovnik fijó la meta de 130 Estados Partes.",
        "Arsenales destruidos son vidas salvadas.",
        "Pregunte a su gobierno qué posición tiene sobre la prohibición.",
        "Cada submunición retirada es una tragedia evitada.",
        "Niñas, niños, mujeres y hombres merecen vivir sin miedo a las bombas sin explotar.",
    ],
}
LINKS = ("https://www.stopclustermunitions.org", "https://www.clusterconvention.org")
EMOJI = ("📢", "🕊️", "✊")
MESSAGE_STEP = timedelta(minutes=15)
MESSAGES_PER_FILE = 34


def message_slots(count: int) -> Iterator[datetime]:
    """``count`` local wall times (naive, campaign timezone) from 2020-10-24 00:00, 15
    minutes apart, skipping 02:00-03:00 on 25 October (it happens twice that night)."""
    moment = datetime(2020, 10, 24, 0, 0)
    given = 0
    while given < count:
        if not (moment.date() == date(2020, 10, 25) and moment.hour == 2):
            yield moment
            given += 1
        moment += MESSAGE_STEP


def _text(rng: random.Random, language: str, number: int, call: str, emoji: bool) -> str:
    limit = rng.randint(120, 250)
    opening = f"{number}. {CALLS[call][language]}!"
    words = [opening]
    tail = f" {HASHTAG}"
    if emoji:
        tail = f" {rng.choice(EMOJI)}{tail}"
    pool = SENTENCES[language][:]
    rng.shuffle(pool)
    for sentence in pool:
        if len(" ".join([*words, sentence])) + len(tail) > limit:
            continue
        words.append(sentence)
    return " ".join(words) + tail


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message(rng: random.Random, number: int, at: datetime) -> list[str]:
    call = rng.choice(list(CALLS))
    lines = [
        f"  - id: message-{number:05d}",
        f"    call: {call}",
        f'    at: "{at:%Y-%m-%d %H:%M}"',
        "    status: approved",
    ]
    if rng.random() < 0.33:
        lines.append(f'    link: "{rng.choice(LINKS)}"')
    if rng.random() < 0.1:
        lines.append("    media: [12-reasons]")
    for offset, language in enumerate(("en", "fr", "es")):
        text = _text(rng, language, number, call, emoji=rng.random() < 0.1)
        variant = rng.random() < 0.05
        if offset == 0 and not variant:
            lines.append(f"    {language}: {_quoted(text)}")
            continue
        lines.append(f"    {language}:")
        if offset:
            lines.append(f'      at: "+{5 * offset} min"')
        lines.append(f"      text: {_quoted(text)}")
        if variant:
            longer = " ".join(SENTENCES[language]) + f" {HASHTAG}"
            lines.append(f"      variants: {{facebook: {_quoted(f'{number}. {longer}')}}}")
    return lines


def write_post_files(folder: Path, posts: int, seed: int) -> int:
    """Write about ``posts`` posts (messages of three) into ``folder``; returns how many
    posts were written (a multiple of three)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    messages = max(1, -(-posts // 3))
    slots = list(message_slots(messages))
    for start in range(0, messages, MESSAGES_PER_FILE):
        lines = [
            f"# Generated for the check benchmark (seed {seed}); local times, Europe/Zurich.",
            "posts:",
        ]
        for number in range(start, min(start + MESSAGES_PER_FILE, messages)):
            lines.extend(_message(rng, number, slots[number]))
            lines.append("")
        path = folder / f"messages-{start // MESSAGES_PER_FILE:04d}.yaml"
        path.write_text("\n".join(lines), encoding="utf-8")
    return messages * 3
