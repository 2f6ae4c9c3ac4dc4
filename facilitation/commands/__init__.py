"""Every state change as one function `(ctx, payload) -> (ack, facts)`, registered by event name.

How to add a command (one function, its payload type and its test; nothing else in Python):

1. In the module of its concern (`core`, `flow`, `rounds`, `themes`, `organiser`, `outcome`, or a new one
   imported below), write the payload as a `Payload` (a frozen dataclass) and the command as a function:

       class Rename(Payload):
           \"\"\"`{"cluster_id", "label"}`\"\"\"
           cluster_id: int
           label: Annotated[str, Text("theme name", MAX_LABEL_LENGTH)]

       @command("rename_cluster", FACILITATOR, Rename, emits=(ClusterRenamed,))
       def rename_cluster(ctx: Context, p: Rename) -> Result:
           \"\"\"Facilitator -> the theme's new label; `cluster_renamed`.

           Ack: `{"ok", "cluster_id", "label"}`
           \"\"\"
           fact = ctx.store.rename_cluster(ctx.workshop_id, ctx.theme(p.cluster_id).id, p.label)
           return {"cluster_id": p.cluster_id, "label": p.label}, [fact] if fact else []

   `who` is FACILITATOR, PARTICIPANT or JOINED. The dispatcher has already rate-limited the sender,
   refused an erased workshop (`not_found`), checked the role and parsed the payload (`int` refuses
   booleans, `int | None` allows null, a field without default is required, `list[int]` is
   deduplicated, `Annotated[..., Check(f)]` runs `f`; `None` as payload type: no payload; `dict`:
   the raw mapping). `ctx.workshop` is the workshop as it is now; `ctx.idea(id)` and
   `ctx.theme(id)` refuse with `idea_not_found` / `theme_not_found`.
2. A new fact: a class in `facilitation/facts.py` declared with `@fact("my_fact", AUDIENCE)` (a frozen
   dataclass, registered), and a store method that returns it from
   `self._append(workshop_id, MyFact(...), actor)`; its audience says who receives it, and each screen that does needs a handler (`case "my_fact":` in static/js/shared/board.js,
   checked by tests/unit/test_docs.py). A refusal: raise an error
   of `facilitation/errors.py` with a code of its `CATALOGUE` (add a code there: its kind, message
   and when it is given).
3. Socket.IO and HTTP find the command in `COMMANDS` by name: nothing to add in `realtime.py`.
   The payload class's docstring is the payload as docs/protocol.md shows it (`{}` without one); end
   the command's docstring with an `Ack:` line (a new fact's with `Payload:` where its fields need
   more words than their names) and run `make docs`: docs/protocol.md's tables are rendered from them and the catalogue
   (tests/unit/test_docs.py fails until you do); run `make translations` for new messages; test it with
   `tests.unit.commanding.do` / `refused`, which call it by name. (Importing the function below is
   optional: it lets code call `commands.<name>(store, actor, payload)`.)
"""

from .core import create_workshop, hide_idea, join, post_idea, set_posting, show_idea, sync, workshop_for
from .flow import (
    add_time, cast_vote, pause_timer, results, resume_timer, retract_vote, return_merged_dots, set_phase,
    set_voting, start_timer, stop_timer,
)
from .newcomers import admit_newcomers, hide_author_ideas
from .organiser import import_ideas
from .outcome import set_answer, set_background, set_background_answers, set_frame
from .registry import COMMANDS, JOINED, Command, Context, Result, execute, run_here
from .rounds import (
    add_prompt, approve_idea, delete_idea, edit_idea, set_active_prompt, set_name, set_rules,
    set_table, set_tables,
)
from .themes import (
    apply_suggestions, create_cluster, delete_cluster, merge_clusters, move_idea, move_ideas,
    rename_cluster, reorder_clusters, set_themes_on_wall, stack_ideas, suggest_clusters, suggest_fits,
    unstack_idea,
)

__all__ = [
    "COMMANDS", "JOINED", "Command", "Context", "Result", "execute", "run_here", "workshop_for",
    "import_ideas", "admit_newcomers", "hide_author_ideas",
    "set_answer", "set_background", "set_background_answers", "set_frame",
    "add_prompt", "approve_idea", "delete_idea", "edit_idea", "set_active_prompt", "set_name",
    "set_rules", "set_table", "set_tables",
    "add_time", "cast_vote", "pause_timer", "results", "resume_timer", "retract_vote", "return_merged_dots",
    "set_phase",
    "set_voting", "start_timer", "stop_timer",
    "apply_suggestions", "create_cluster", "create_workshop", "delete_cluster", "hide_idea", "join",
    "merge_clusters", "move_idea", "move_ideas", "post_idea", "rename_cluster", "reorder_clusters",
    "set_posting", "set_themes_on_wall", "show_idea", "stack_ideas", "suggest_clusters", "suggest_fits",
    "sync", "unstack_idea",
]
