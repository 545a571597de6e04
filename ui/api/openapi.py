"""The read API's OpenAPI 3 schema, served at /api/v1/openapi.json (ui/api/routes.py). Kept beside the
routes: tests/integration/test_read_api.py checks that every route is described and every described path
answers."""

from __future__ import annotations

from functools import cache

_STAGE = {
    "name": "stage",
    "in": "query",
    "required": False,
    "description": "A stage's id (GET /api/v1/stages); default: the first stage.",
    "schema": {"type": "string", "maxLength": 32},
}
_EVENT = {
    "name": "event",
    "in": "query",
    "required": False,
    "description": "Another round of the stage's competition (its event_id, listed in `rounds`); "
    "with a key, any event.",
    "schema": {"type": "string", "maxLength": 80},
}
_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string", "description": "One sentence saying what is wrong."}},
    "required": ["error"],
}
_ROUND = {"type": "object", "properties": {"number": {"type": "integer"}, "name": {"type": "string"}}}


def _obj(props: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": props, "required": required or list(props)}


_SCOPE = {"type": "string", "enum": ["public", "private"], "description": "private: a valid key was sent."}
_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_NUM = {"type": ["number", "null"]}
_ROW = {
    "type": "object",
    "description": "A line of the board's ranking; `judges` (cells by judge, in `judge_names` order) only "
    "when the event shows each judge's scores publicly.",
    "properties": {
        "rank": {"type": ["integer", "null"]},
        "category_rank": {"type": ["integer", "null"]},
        "performer": {"type": "string"},
        "category": {"type": "string"},
        "total": _NULLABLE_STR,
        "scores_in": {"type": "integer"},
        "status": {"type": "string"},
        "judges": {"type": "array", "items": {"type": "string"}},
    },
}
_SCORE = _obj(
    {
        "performer_id": {"type": "string"},
        "performer": {"type": "string"},
        "judge": {"type": "string", "description": "The judge's email."},
        "judge_name": {"type": "string"},
        "values": {"type": "object", "additionalProperties": {"type": "string"}},
        "total": {"type": "string"},
        "revision": {"type": "integer"},
        "submitted_at": {"type": "number"},
        "comment": {"type": "string"},
    }
)
SCHEMAS = {
    "Error": _ERROR,
    "State": _obj(
        {
            "stage": _NULLABLE_STR,
            "event": {"type": "object", "properties": {"id": _NULLABLE_STR, "name": _NULLABLE_STR}},
            "round": {"type": ["object", "null"]},
            "phase": _NULLABLE_STR,
            "phase_label": _NULLABLE_STR,
            "paused": {"type": ["boolean", "null"]},
            "version": {"type": ["integer", "null"]},
            "performer": {"type": ["object", "null"], "description": "name and category, while on stage"},
            "next_up": {"type": ["object", "null"]},
            "window_id": {"type": ["integer", "null"]},
            "window_started_at": _NULLABLE_NUM,
            "deadline": _NULLABLE_NUM,
            "remaining_seconds": _NULLABLE_NUM,
            "votes": {"type": "array", "items": {"type": "object"}},
            "score_card": {"type": ["object", "null"], "description": "A performer's results, once public."},
            "podiums": {"type": ["array", "null"]},
            "results": {"type": "object"},
            "on_air": {"type": "object", "description": "The streaming operator's switches."},
            "showing": {"type": "object", "description": "Which overlay elements show now."},
            "error": _NULLABLE_STR,
            "server_time": {"type": "number"},
        },
        ["phase", "server_time"],
    ),
    "Stages": _obj(
        {
            "scope": _SCOPE,
            "stages": {
                "type": "array",
                "items": _obj(
                    {"stage_id": {"type": "string"}, "name": {"type": "string"}, "event_id": _NULLABLE_STR}
                ),
            },
        }
    ),
    "Event": _obj(
        {
            "scope": _SCOPE,
            "stage_id": {"type": "string"},
            "stage_name": {"type": "string"},
            "event_id": {"type": "string"},
            "event_name": {"type": "string"},
            "phase": {"type": "string", "enum": ["SETUP", "LOBBY", "PERFORMING", "SCORING", "FINISHED"]},
            "phase_label": {"type": "string"},
            "paused": {"type": "boolean"},
            "version": {"type": "integer", "description": "Moves with every change of the event's state."},
            "window_id": {"type": "integer"},
            "window_started_at": _NULLABLE_NUM,
            "performer": _NULLABLE_STR,
            "category": _NULLABLE_STR,
            "deadline": {**_NULLABLE_NUM, "description": "The window's end (Unix time, seconds)."},
            "remaining_seconds": _NULLABLE_NUM,
            "round": _ROUND,
            "categories": {"type": "array", "items": {"type": "string"}},
            "rank_overall": {"type": "boolean"},
            "recused": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Judges stepping aside.",
            },
            "lineup": {"type": "object", "description": "On stage, next up and later, as the board shows."},
            "vote": {"type": "array", "items": {"type": "object"}, "description": "Open audience votes."},
            "server_time": {"type": "number"},
        },
        ["scope", "stage_id", "event_id", "phase", "server_time"],
    ),
    "Schedule": _obj(
        {
            "scope": _SCOPE,
            "stage_id": {"type": "string"},
            "event_id": {"type": "string"},
            "event_name": {"type": "string"},
            "round": _ROUND,
            "lineup": {"type": "object"},
            "performers": {
                "type": "array",
                "items": _obj(
                    {
                        "position": {"type": "integer"},
                        "performer": {"type": "string"},
                        "category": {"type": "string"},
                        "status": {"type": "string"},
                        "expected_start": _NULLABLE_NUM,
                        "expected": {"type": "boolean", "description": "true: an estimate, not yet started."},
                    }
                ),
            },
            "server_time": {"type": "number"},
        }
    ),
    "Results": _obj(
        {
            "scope": _SCOPE,
            "stage_id": {"type": "string"},
            "event_id": {"type": "string"},
            "event_name": {"type": "string"},
            "phase": {"type": "string"},
            "round": _ROUND,
            "rounds": {"type": "array", "items": {"type": "object"}},
            "results_status": {"type": "string", "enum": ["live", "provisional", "official"]},
            "results_label": {"type": "string"},
            "results_message": _NULLABLE_STR,
            "judge_names": {"type": "array", "items": {"type": "string"}},
            "ranking": {"type": "array", "items": _ROW},
            "revealed": {
                "type": "array",
                "items": _ROW,
                "description": "The places revealed, in reveal order.",
            },
            "reveal_complete": {"type": "boolean"},
            "protest_deadline": {**_NULLABLE_NUM, "description": "Until official: when protests close."},
            "podium": {"type": "array", "items": _ROW, "description": "The top three, once finished."},
            "podiums": {"type": "array", "items": {"type": "object"}, "description": "One per category."},
            "held_back": {
                **_NULLABLE_STR,
                "description": "The performer being scored: nothing of theirs yet.",
            },
            "audience": {"type": ["object", "null"], "description": "The audience vote, once revealed."},
            "private": _obj(
                {
                    "results": {"type": "array", "items": {"type": "object"}},
                    "scores": {"type": "array", "items": _SCORE},
                    "recused": {"type": "object"},
                    "audience": {"type": ["object", "null"]},
                },
            ),
            "server_time": {"type": "number"},
        },
        ["scope", "event_id", "results_status", "ranking", "server_time"],
    ),
}


def _get(summary: str, schema: str, params: list[dict], description: str = "") -> dict:
    errors = {
        "400": "A key in the address, or a parameter too long.",
        "401": "A key that is not valid (revoked or mistyped), or a header that is no Bearer key.",
        "404": "No such stage, no event yet, or a round that is not this stage's.",
        "413": "A request with a body.",
        "429": "Too many requests; the Retry-After header says when to try again.",
        "503": "The database cannot be reached.",
    }
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": params,
            "security": [{}, {"apiKey": []}],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                },
                **{
                    code: {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
                    for code, text in errors.items()
                },
            },
        }
    }


@cache
def schema() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Stagescore read API",
            "version": "1",
            "description": "Without a key, exactly what the public pages show: nothing of the performer "
            "being scored, the results only as the board shows them (hidden until revealed, when set). With "
            "a key (Authorization: Bearer KEY; the admin creates and revokes keys on Log & exports) the "
            "results also carry every score, its revision and comment. Rate-limited per address and per key "
            "(429).",
        },
        "paths": {
            "/api/v1/stages": _get("Every stage and its current event", "Stages", []),
            "/api/v1/event": _get(
                "A stage's current event: phase, performer on stage, deadlines", "Event", [_STAGE]
            ),
            "/api/v1/schedule": _get(
                "The running order with each performer's (expected) start", "Schedule", [_STAGE]
            ),
            "/api/v1/results": _get(
                "A round's results as the board shows them",
                "Results",
                [_STAGE, _EVENT],
                "With a key, `private` adds the full ranking, every score (criteria, revision, comment), the "
                "judges who stepped aside and the audience's tally.",
            ),
            "/api/v1/state": _get(
                "The show's state on a stage, for automation and the overlays (ui/onair/state.py)",
                "State",
                [_STAGE],
                "Public only (a key adds nothing); any origin may read it.",
            ),
            "/api/v1/state/stream": {
                "get": {
                    "summary": "The same document over server-sent events (`event: doc`) as it changes",
                    "parameters": [_STAGE],
                    "responses": {
                        "200": {"description": "text/event-stream", "content": {"text/event-stream": {}}}
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This schema", "responses": {"200": {"description": "OK"}}}
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "ssk_<id>_<secret>"}
            },
        },
    }
