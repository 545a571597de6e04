"""The live feed: one publisher per server process, pushed to screens over server-sent events.

feed.py reads the event once per tick; builder.py builds the documents (engine/views/documents.py);
channel.py holds one document and its subscribers; hub.py runs the tick, presence and session tasks;
routes.py serves /live/public, /live/judge, /live/admin and POST /live/score.
"""
