"""A demo workshop with the Idea Factory's question and sample ideas, created once per data folder."""

from __future__ import annotations

import json
from pathlib import Path

from . import commands
from .model import Workshop
from .store import Store

TITLE = "Idea Factory – bedre københavnerdialog"
PROMPT = ("Hvordan kan Københavns Kommune bedre facilitere københavneridéer, "
          "der går på tværs af fagområder?")
IDEAS = [
    "Én indgang til kommunen for idéer, uanset hvilken forvaltning de hører til",
    "Inddrag københavnerne så tidligt som muligt i et sagsforløb, før alt er besluttet",
    "Giv tydelige rammer og vilkår: hvad kan vi få indflydelse på, og hvad ikke?",
    "Fortæl tilbage hvad der skete med idéerne – også når svaret er nej",
    "En idé-tovholder i kommunen, der følger idéen på tværs af de 7 forvaltninger",
    "Lokaludvalgene kan samle idéer fra bydelen og sende dem videre",
    "Dialogmøder ude i bydelene, ikke kun på Rådhuset",
    "Holde møder om aftenen, så folk med arbejde kan deltage",
    "Brug biblioteker og medborgerhuse som mødesteder for dialog",
    "En digital idébank hvor alle kan se idéerne og støtte dem",
    "Mangfoldighed: inviter dem, der normalt ikke kommer til borgermøder",
    "Tolke og materialer på flere sprog",
    "Unge skal inddrages på deres egne platforme og præmisser",
    "Samarbejd med foreninger og civilsamfundsaktører, der allerede kender borgerne",
    "Små puljer, så borgerne selv kan afprøve deres idéer",
    "Forsøgsordninger: afprøv en idé i et kvarter i et halvt år",
    "Embedsfolk fra flere forvaltninger ved samme bord",
    "Tværgående budget til idéer, der ikke passer ind i ét fagområde",
    "Et fast årligt Idea Factory-arrangement",
    "Kort og klart sprog i alle invitationer",
    "Vis på et kort, hvor i byen idéerne handler om",
    "Gør det nemt: ingen login for at komme med en idé",
    "Virksomheder kan være med til at finansiere gode idéer",
    "Brug borgerpaneler, der afspejler befolkningen",
    "Feedback inden for 30 dage på hver idé",
    "Byvandringer hvor politikere og borgere ser stederne sammen",
    "Workshops i skoler om byens udvikling",
    "Mere fællesskab: naboer der udvikler idéer sammen",
    "Læring: evaluer hver dialog og del erfaringerne mellem forvaltningerne",
    "Åbne data, så borgerne kan bygge videre på kommunens viden",
    "En hotline for idéer, for dem der ikke er digitale",
    "Kommunen skal komme ud, hvor folk er: markeder, stationer, festivaler",
    "Medarbejdere skal have tid og mandat til at arbejde på tværs",
    "Politikerne skal være til stede, når idéerne præsenteres",
    "Gentænk høringer: dialog i stedet for skriftlige svar",
    "Fejr de idéer, der bliver til virkelighed",
]


def ensure_demo(store: Store, data_dir: Path) -> tuple[Workshop, str]:
    """The demo workshop and its facilitator token, creating both on first use."""
    marker = data_dir / "demo.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        workshop = store.get_workshop(saved["code"])
        if workshop is not None:
            return workshop, saved["facilitator_token"]
    workshop, token = store.create_workshop(TITLE, PROMPT)
    for number, text in enumerate(IDEAS):
        if number % 3 == 0:  # a dozen participants, three ideas each
            actor, _ = commands.join(store, {"code": workshop.code})
        commands.post_idea(store, actor, {"text": text, "client_id": f"demo-{number}"})
    marker.write_text(json.dumps({"code": workshop.code, "facilitator_token": token}))
    return workshop, token
