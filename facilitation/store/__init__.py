"""The only place with SQL: schema and migrations, every read and write, one transaction per change.

The core (core.py) owns the connection, the transaction and the event log; each other concern is a
module of functions that take the core first and call no other concern. `Store` composes them once,
here, so the commands keep one object with every read and write as a method.
"""

from __future__ import annotations

from . import admin, clusters, flow, newcomers, outcome, phones, rounds, settings
from .core import CoreStore, connect, now, now_ms


class Store(CoreStore):
    """Every read and write of the live database: the core's, and each concern's as a method."""

    # What phones read (phones.py)
    phone_snapshot = phones.phone_snapshot
    phone_count = phones.phone_count
    own_seq = phones.own_seq
    phone_facts_since = phones.phone_facts_since
    ideas_batch = phones.ideas_batch

    # Themes and duplicate stacks (clusters.py)
    get_cluster = clusters.get_cluster
    cluster_ids = clusters.cluster_ids
    create_cluster = clusters.create_cluster
    rename_cluster = clusters.rename_cluster
    stack_of = clusters.stack_of
    move_ideas = clusters.move_ideas
    move_idea = clusters.move_idea
    merge_clusters = clusters.merge_clusters
    delete_cluster = clusters.delete_cluster
    answered = clusters.answered
    reorder_clusters = clusters.reorder_clusters
    set_themes_on_wall = clusters.set_themes_on_wall
    apply_suggestions = clusters.apply_suggestions
    theme_texts = clusters.theme_texts
    unsorted_idea_ids = clusters.unsorted_idea_ids
    stack_tops = clusters.stack_tops
    idea_texts = clusters.idea_texts
    stack_ideas = clusters.stack_ideas
    unstack_idea = clusters.unstack_idea

    # Phases, the timer and dots (flow.py)
    set_phase = flow.set_phase
    set_timer = flow.set_timer
    set_voting = flow.set_voting
    cast_vote = flow.cast_vote
    retract_vote = flow.retract_vote
    my_votes = flow.my_votes
    my_votes_at = flow.my_votes_at
    vote_totals = flow.vote_totals
    return_merged_dots = flow.return_merged_dots

    # Questions, tables, rules, approval and edits (rounds.py)
    prompts = rounds.prompts
    add_prompt = rounds.add_prompt
    set_active_prompt = rounds.set_active_prompt
    tables = rounds.tables
    set_tables = rounds.set_tables
    participant = rounds.participant
    set_participant = rounds.set_participant
    set_rules = rounds.set_rules
    ideas_posted_by = rounds.ideas_posted_by
    edit_idea = rounds.edit_idea
    delete_idea = rounds.delete_idea

    # The organiser's, across workshops (admin.py)
    list_workshops = admin.list_workshops
    delete_workshop = admin.delete_workshop
    erasures = admin.erasures
    expired_workshops = admin.expired_workshops
    paper_participant = admin.paper_participant
    import_ideas = admin.import_ideas
    # Newcomers held and one participant's ideas (newcomers.py)
    hold = newcomers.hold
    release_newcomers = newcomers.release_newcomers
    hide_author_ideas = newcomers.hide_author_ideas
    vote_opened_at = newcomers.vote_opened_at
    organiser_generation = admin.organiser_generation
    next_organiser_generation = admin.next_organiser_generation

    # Settings the hosts of one database share (settings.py)
    setting = settings.setting

    # The frame, answers and background questions (outcome.py)
    set_frame = outcome.set_frame
    set_answer = outcome.set_answer
    move_answer = outcome.move_answer
    set_background = outcome.set_background
    background_answers = outcome.background_answers
    set_background_answers = outcome.set_background_answers
    outcome_rows = outcome.outcome_rows


__all__ = ["Store", "connect", "now", "now_ms"]
