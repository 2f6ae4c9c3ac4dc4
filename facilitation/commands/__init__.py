"""Every state change as one function (store, actor, payload) -> (ack, facts).

Validation and authorization live here, once, whichever transport a command came by; a refusal is a
`CommandError`, which the transport turns into `{"ok": false, "error": {...}}`.
"""

from .flow import (
    add_time, cast_vote, pause_timer, results, resume_timer, retract_vote, set_phase, set_voting,
    start_timer, stop_timer,
)
from .rounds import (
    add_prompt, approve_idea, delete_idea, edit_idea, set_active_prompt, set_name, set_rules,
    set_table, set_tables,
)
from .organiser import import_ideas
from .core import Result, create_workshop, join, post_idea, set_idea_hidden, set_posting, sync
from .themes import (
    apply_suggestions, create_cluster, delete_cluster, merge_clusters, move_idea, move_ideas,
    rename_cluster, reorder_clusters, set_themes_on_wall, stack_ideas, suggest_clusters, unstack_idea,
)

__all__ = [
    "import_ideas",
    "add_prompt", "approve_idea", "delete_idea", "edit_idea", "set_active_prompt", "set_name",
    "set_rules", "set_table", "set_tables",
    "add_time", "cast_vote", "pause_timer", "results", "resume_timer", "retract_vote", "set_phase",
    "set_voting", "start_timer", "stop_timer",
    "Result", "apply_suggestions", "create_cluster", "create_workshop", "delete_cluster", "join",
    "merge_clusters", "move_idea", "move_ideas", "post_idea", "rename_cluster", "reorder_clusters",
    "set_idea_hidden", "set_posting", "set_themes_on_wall", "stack_ideas", "suggest_clusters", "sync", "unstack_idea",
]
