"""What a screen, an export or a sheet shows: documents, CSV/JSON, PDFs, QR codes, built from a snapshot.
Imports only engine.domain (and the rendering libraries); no I/O beyond what it returns."""
