"""A workshop with something of everything, made through the commands: the export tests (in-process
and with Datasette) read it back and compare it with the live state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitation import commands

HIDDEN = "Skjult hemmelighed om cykelkælderen"
PENDING = "Ventende forslag om cykelhjelme"
TITLE = "Borgermøde på Østerbro"
QUESTIONS = ["Hvad skal vi gøre ved trafikken?", "Hvad mangler i gårdene?"]


@dataclass
class Workshop:
    """A workshop made through the commands, and what the tests need to reach it."""

    code: str
    token: str
    id: int
    store: Any
    ideas: dict[str, int]
    themes: dict[str, int]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def full_workshop(app: Any, client: Any) -> Workshop:
    """Two questions, two tables, three participants, two tied themes, a stack, a tie between
    ideas, a hidden idea with a dot on it and an idea still waiting for approval."""
    created = client.post("/api/workshops", json={"title": TITLE, "prompt": QUESTIONS[0]}).get_json()
    store = app.extensions["facilitation.store"]
    fac = commands.join(store, {"code": created["code"],
                                "facilitator_token": created["facilitator_token"]})[0]
    phones = [commands.join(store, {"code": created["code"]})[0] for _ in range(3)]
    tables = commands.set_tables(store, fac, {"tables": ["Bord 7", "Bord 8"]})[0]["tables"]
    commands.set_table(store, phones[0], {"table_id": tables[0]["id"]})
    commands.set_name(store, phones[1], {"name": "Søren Ærø"})
    ideas: dict[str, int] = {}

    def post(phone: Any, text: str) -> None:
        ideas[text] = commands.post_idea(store, phone, {"text": text, "client_id": text})[0]["idea"]["id"]

    post(phones[0], "Cykelstier på Åboulevarden")
    post(phones[1], "Plads til din cykel ved Nørreport")
    post(phones[2], "cykelstier på åboulevarden!")
    post(phones[0], "Grønne tage på Amager")
    post(phones[2], HIDDEN)
    commands.set_rules(store, fac, {"pre_moderation": True})
    post(phones[1], PENDING)
    commands.set_rules(store, fac, {"pre_moderation": False})

    themes = {label: commands.create_cluster(store, fac, {"label": label})[0]["cluster"]["id"]
              for label in ("Trafik", "Grønt")}
    for text, theme in [("Cykelstier på Åboulevarden", "Trafik"),
                        ("Plads til din cykel ved Nørreport", "Trafik"),
                        ("Grønne tage på Amager", "Grønt"), (HIDDEN, "Trafik")]:
        commands.move_idea(store, fac, {"idea_id": ideas[text], "cluster_id": themes[theme]})
    commands.stack_ideas(store, fac, {"idea_ids": [ideas["Cykelstier på Åboulevarden"],
                                                   ideas["cykelstier på åboulevarden!"]]})
    commands.set_phase(store, fac, {"phase": "vote"})
    commands.set_voting(store, fac, {"dots": 5, "max_per_item": 2})
    # Trafik 1 + 1 = 2 and Grønt 1 (theme) + 1 = 2 tie; three ideas tie with one dot each.
    commands.cast_vote(store, phones[0], {"idea_id": ideas["Cykelstier på Åboulevarden"]})
    commands.cast_vote(store, phones[1], {"idea_id": ideas["Plads til din cykel ved Nørreport"]})
    commands.cast_vote(store, phones[2], {"idea_id": ideas["Grønne tage på Amager"]})
    commands.cast_vote(store, phones[2], {"cluster_id": themes["Grønt"]})
    commands.cast_vote(store, phones[1], {"idea_id": ideas[HIDDEN]})
    store.set_hidden(fac.workshop.id, ideas[HIDDEN], True)  # its dot stays, out of sight
    # Round two: its own ideas, theme and vote, with the full budget again.
    commands.set_phase(store, fac, {"phase": "collect"})
    second = commands.add_prompt(store, fac, {"text": QUESTIONS[1]})[0]["prompt"]["id"]
    commands.set_active_prompt(store, fac, {"prompt_id": second})
    post(phones[2], "Bænke og æbletræer i gården")
    post(phones[0], 'Ølbar "=1+1" i gården')
    themes["Gårde"] = commands.create_cluster(store, fac, {"label": "Gårde"})[0]["cluster"]["id"]
    commands.move_idea(store, fac, {"idea_id": ideas["Bænke og æbletræer i gården"],
                                    "cluster_id": themes["Gårde"]})
    commands.set_phase(store, fac, {"phase": "vote"})
    for _ in range(2):
        commands.cast_vote(store, phones[2], {"idea_id": ideas["Bænke og æbletræer i gården"]})
    commands.set_phase(store, fac, {"phase": "results"})
    return Workshop(created["code"], created["facilitator_token"], fac.workshop.id, store, ideas,
                    themes)


def download(client: Any, w: Workshop, fmt: str, **headers: str) -> bytes:
    """The export in format `fmt`, fetched with the facilitator's token."""
    response = client.get(f"/w/{w.code}/export.{fmt}", headers={**w.auth, **headers})
    assert response.status_code == 200, response.data
    return response.data  # type: ignore[no-any-return]
