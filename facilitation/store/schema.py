"""The live database's schema as sqlite-utils migrations: append new ones, never edit applied ones."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("facilitation")


def _ordered_per_workshop(db: Database, table: str, text: str, created_at: bool = True) -> None:
    """A table of a workshop's items in their order (themes, questions, tables): id, workshop_id, a
    text column, position and, when asked, created_at, with an index on (workshop_id, position).

    Applied migrations call this: never change what it creates; a new shape is a new helper."""
    columns: dict[str, type] = {"id": int, "workshop_id": int, text: str, "position": int}
    if created_at:
        columns["created_at"] = str
    db.table(table).create(columns, pk="id", foreign_keys=[("workshop_id", "workshops", "id")],
                           not_null={"workshop_id", text, "position"})
    db.table(table).create_index(["workshop_id", "position"])


@migrations()
def m001_initial(db: Database) -> None:
    """Workshops, participants, ideas and the event log."""
    db.table("workshops").create(
        {"id": int, "code": str, "title": str, "prompt": str, "facilitator_token_hash": str,
         "posting_open": int, "seq": int, "created_at": str},
        pk="id", not_null={"code", "title", "prompt", "facilitator_token_hash", "seq"},
        defaults={"posting_open": 1, "seq": 0},
    )
    db.table("workshops").create_index(["code"], unique=True)
    db.table("participants").create(
        {"id": int, "workshop_id": int, "token_hash": str, "created_at": str},
        pk="id", foreign_keys=[("workshop_id", "workshops", "id")],
        not_null={"workshop_id", "token_hash"},
    )
    db.table("participants").create_index(["token_hash"], unique=True)
    db.table("participants").create_index(["workshop_id"])
    db.table("ideas").create(
        {"id": int, "workshop_id": int, "participant_id": int, "client_id": str, "text": str,
         "hidden": int, "created_at": str},
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id"), ("participant_id", "participants", "id")],
        not_null={"workshop_id", "text"}, defaults={"hidden": 0},
    )
    db.table("ideas").create_index(["workshop_id", "id"])
    db.table("ideas").create_index(["participant_id", "client_id"], unique=True)
    db.table("events").create(
        {"workshop_id": int, "seq": int, "type": str, "payload": str, "actor": str,
         "created_at": str},
        pk=("workshop_id", "seq"), foreign_keys=[("workshop_id", "workshops", "id")],
        not_null={"type", "payload"},
    )


@migrations()
def m002_clusters(db: Database) -> None:
    """Themes, each idea's theme, and stacks of duplicate ideas."""
    _ordered_per_workshop(db, "clusters", "label")
    db.execute("ALTER TABLE ideas ADD COLUMN cluster_id INTEGER REFERENCES clusters(id)")
    db.execute("ALTER TABLE ideas ADD COLUMN duplicate_of INTEGER REFERENCES ideas(id)")
    db.table("ideas").create_index(["cluster_id"])
    db.table("ideas").create_index(["duplicate_of"])


@migrations()
def m003_flow(db: Database) -> None:
    """Phases, the countdown, the voting budget, and the dots participants place."""
    for column, kind in [("phase", "TEXT NOT NULL DEFAULT 'collect'"), ("dots", "INTEGER NOT NULL DEFAULT 3"),
                         ("max_per_item", "INTEGER NOT NULL DEFAULT 1"), ("timer_ends_at", "INTEGER"),
                         ("timer_remaining_ms", "INTEGER NOT NULL DEFAULT 0"),
                         ("timer_running", "INTEGER NOT NULL DEFAULT 0")]:
        db.execute(f"ALTER TABLE workshops ADD COLUMN {column} {kind}")
    db.table("votes").create(
        {"id": int, "workshop_id": int, "participant_id": int, "idea_id": int, "cluster_id": int,
         "created_at": str},
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id"), ("participant_id", "participants", "id"),
                      ("idea_id", "ideas", "id"), ("cluster_id", "clusters", "id")],
        not_null={"workshop_id", "participant_id"},
    )
    db.table("votes").create_index(["workshop_id", "participant_id"])
    db.table("votes").create_index(["idea_id"])
    db.table("votes").create_index(["cluster_id"])


@migrations()
def m004_rounds_tables_moderation(db: Database) -> None:
    """Several questions (rounds), tables, display names, pre-moderation and an idea cap."""
    _ordered_per_workshop(db, "prompts", "text")
    _ordered_per_workshop(db, "tables", "name", created_at=False)
    for table, column, kind in [
        ("workshops", "active_prompt_id", "INTEGER REFERENCES prompts(id)"),
        ("workshops", "names", "TEXT NOT NULL DEFAULT 'optional'"),
        ("workshops", "pre_moderation", "INTEGER NOT NULL DEFAULT 0"),
        ("workshops", "idea_cap", "INTEGER"),
        ("workshops", "table_mode", "INTEGER NOT NULL DEFAULT 0"),
        ("participants", "name", "TEXT"),
        ("participants", "table_id", "INTEGER REFERENCES tables(id)"),
        ("ideas", "prompt_id", "INTEGER REFERENCES prompts(id)"),
        ("ideas", "table_id", "INTEGER REFERENCES tables(id)"),
        ("ideas", "author", "TEXT"),
        ("ideas", "pending", "INTEGER NOT NULL DEFAULT 0"),
    ]:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    db.table("ideas").create_index(["prompt_id"])
    # Every existing workshop's question becomes its first round, holding its ideas.
    for workshop in list(db.query("SELECT id, prompt, created_at FROM workshops")):
        prompt_id = db.table("prompts").insert({
            "workshop_id": workshop["id"], "text": workshop["prompt"], "position": 0,
            "created_at": workshop["created_at"]}).last_pk
        db.execute("UPDATE workshops SET active_prompt_id = ? WHERE id = ?", [prompt_id, workshop["id"]])
        db.execute("UPDATE ideas SET prompt_id = ? WHERE workshop_id = ?", [prompt_id, workshop["id"]])


@migrations()
def m005_erasures(db: Database) -> None:
    """A log of erased workshops: what was deleted, when and why, with none of its content."""
    db.table("erasures").create({"code": str, "title": str, "created_at": str, "participants": int,
                                 "ideas": int, "reason": str, "erased_at": str})


@migrations()
def m006_workshop_language(db: Database) -> None:
    """Each workshop's own language, which its wall speaks."""
    db.execute("ALTER TABLE workshops ADD COLUMN language TEXT NOT NULL DEFAULT 'da'")


@migrations()
def m007_themes_on_wall(db: Database) -> None:
    """Whether the wall shows themes: off for new workshops, so a draft never surprises the room."""
    db.execute("ALTER TABLE workshops ADD COLUMN themes_on_wall INTEGER NOT NULL DEFAULT 0")
    # Workshops made before the switch existed keep the wall they had: themes shown.
    db.execute("UPDATE workshops SET themes_on_wall = 1")


@migrations()
def m008_vote_on(db: Database) -> None:
    """Whether participants give their dots to ideas, themes, or both."""
    db.execute("ALTER TABLE workshops ADD COLUMN vote_on TEXT NOT NULL DEFAULT 'both'")


@migrations()
def m009_phone_streams(db: Database) -> None:
    """Phones receive only what they show: the workshop's phone stream and each participant's own,
    numbered apart from `seq`; each event records its phone route; the rule phones_see_ideas."""
    for table, column, kind in [
        ("workshops", "phones_see_ideas", "INTEGER NOT NULL DEFAULT 0"),
        ("workshops", "phones_see", "INTEGER NOT NULL DEFAULT 0"),  # phones showed all ideas last
        ("workshops", "phone_seq", "INTEGER NOT NULL DEFAULT 0"),
        ("workshops", "phone_batch_seq", "INTEGER NOT NULL DEFAULT 0"),  # ideas_posted sent up to
        ("participants", "own_seq", "INTEGER NOT NULL DEFAULT 0"),
        ("events", "phones", "TEXT"),
        ("events", "pseq", "INTEGER"),
        ("events", "recipient", "INTEGER"),
        ("events", "oseq", "INTEGER"),
    ]:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    db.execute("UPDATE workshops SET phones_see = phase != 'collect'")
    db.table("events").create_index(["workshop_id", "pseq"])
    db.table("events").create_index(["recipient", "oseq"])


@migrations()
def m010_devices(db: Database) -> None:
    """The browser (device cookie) a participant joined from: a device that comes back without its
    participant token is recognised, so re-joining never makes a new participant or a new allowance."""
    db.execute("ALTER TABLE participants ADD COLUMN device_hash TEXT")
    db.table("participants").create_index(["workshop_id", "device_hash"])


@migrations()
def m011_wall_paused(db: Database) -> None:
    """Whether the facilitator has paused the wall's paging."""
    db.execute("ALTER TABLE workshops ADD COLUMN wall_paused INTEGER NOT NULL DEFAULT 0")


@migrations()
def m012_participant_kind(db: Database) -> None:
    """Whether a participant is a person or the stand-in that paper imports are posted as, so that
    exports and reports count people."""
    db.execute("ALTER TABLE participants ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'")
    db.execute("UPDATE participants SET kind = 'paper' WHERE token_hash LIKE 'paper:%'")


@migrations()
def m013_rounds_own_themes_and_dots(db: Database) -> None:
    """Each question is its own round: themes and dots belong to the question they were made for."""
    for table in ("clusters", "votes"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN prompt_id INTEGER REFERENCES prompts(id)")
    # A theme belongs to the question most of its ideas answer; an empty one to the active question.
    db.execute("""UPDATE clusters SET prompt_id = coalesce(
        (SELECT prompt_id FROM ideas WHERE cluster_id = clusters.id AND prompt_id IS NOT NULL
         GROUP BY prompt_id ORDER BY count(*) DESC, prompt_id LIMIT 1),
        (SELECT active_prompt_id FROM workshops WHERE id = clusters.workshop_id))""")
    db.execute("""UPDATE votes SET prompt_id = coalesce(
        (SELECT prompt_id FROM ideas WHERE id = votes.idea_id),
        (SELECT prompt_id FROM clusters WHERE id = votes.cluster_id))""")
    db.table("clusters").create_index(["workshop_id", "prompt_id"])
    db.table("votes").create_index(["workshop_id", "prompt_id", "participant_id"])


@migrations()
def m014_settings(db: Database) -> None:
    """Server-wide values every process reads: the organiser's session generation."""
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m015_newcomers(db: Database) -> None:
    """Newcomers beyond a hall's pace are held (1: waiting, 2: turned away), and a rule closes the
    vote to those who join after it opened."""
    db.execute("ALTER TABLE participants ADD COLUMN held INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE workshops ADD COLUMN vote_closed_to_newcomers INTEGER NOT NULL DEFAULT 0")


@migrations()
def m016_frame_answers_background(db: Database) -> None:
    """The frame (what is open for influence), answers to themes and ideas, whether the outcome page
    is public, and the optional background questions participants answer about themselves.

    Plain SQL with ON DELETE CASCADE: an answer goes with its theme or idea, a participant's
    background answer with its question or option."""
    db.execute("ALTER TABLE workshops ADD COLUMN frame TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE workshops ADD COLUMN outcome_public INTEGER NOT NULL DEFAULT 0")
    db.execute("""CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshops(id),
        cluster_id INTEGER REFERENCES clusters(id) ON DELETE CASCADE,
        idea_id INTEGER REFERENCES ideas(id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""")
    db.execute("CREATE UNIQUE INDEX answers_cluster ON answers (cluster_id)")
    db.execute("CREATE UNIQUE INDEX answers_idea ON answers (idea_id)")
    db.execute("CREATE INDEX answers_workshop ON answers (workshop_id)")
    db.execute("""CREATE TABLE background_questions (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshops(id),
        label TEXT NOT NULL,
        position INTEGER NOT NULL)""")
    db.execute("CREATE INDEX background_questions_workshop ON background_questions (workshop_id)")
    db.execute("""CREATE TABLE background_options (
        id INTEGER PRIMARY KEY,
        question_id INTEGER NOT NULL REFERENCES background_questions(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        position INTEGER NOT NULL,
        share REAL)""")
    db.execute("CREATE INDEX background_options_question ON background_options (question_id)")
    db.execute("""CREATE TABLE background_answers (
        participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL REFERENCES background_questions(id) ON DELETE CASCADE,
        option_id INTEGER NOT NULL REFERENCES background_options(id) ON DELETE CASCADE,
        PRIMARY KEY (participant_id, question_id))""")
    db.execute("CREATE INDEX background_answers_option ON background_answers (option_id)")


@migrations()
def m017_events_by_idea(db: Database) -> None:
    """An index on the facts logged about each idea: an edit or a deletion scrubs the idea's text
    from its own facts without reading the workshop's whole log. Its expression is the one
    rounds.py's query uses, character for character: SQLite uses an expression index only then."""
    db.execute("CREATE INDEX idx_events_workshop_id_idea_id"
               " ON events (workshop_id, json_extract(payload, '$.idea.id'))")


@migrations()
def m018_merged_dots(db: Database) -> None:
    """Which dots each merge of two themes moved (by the merge's sequence number), so that its undo
    can return them to the theme they were on; a record goes with its dot."""
    db.execute("""CREATE TABLE merged_dots (
        workshop_id INTEGER NOT NULL REFERENCES workshops(id),
        merge_seq INTEGER NOT NULL,
        vote_id INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
        PRIMARY KEY (workshop_id, merge_seq, vote_id))""")
    db.execute("CREATE INDEX merged_dots_vote ON merged_dots (vote_id)")


@migrations()
def m019_screen_seq(db: Database) -> None:
    """Where the facts screens receive stand among the workshop's `seq` numbers, which participants'
    own facts share: `hidden_to`, the last own fact's seq, and `shown_seq`, the last other fact
    before the run of own facts that ends there (CoreStore._append). Zero for a workshop logged
    before: its next fact names its previous seq, as a screen always assumed."""
    db.execute("ALTER TABLE workshops ADD COLUMN shown_seq INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE workshops ADD COLUMN hidden_to INTEGER NOT NULL DEFAULT 0")
