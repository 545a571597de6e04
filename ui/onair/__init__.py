"""On air: the state feed (GET /api/v1/state and its stream) and the overlays for a live stream
(/overlay/…), both following the public board's feed (ui/live/)."""
