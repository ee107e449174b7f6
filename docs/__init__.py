"""Documentation helpers (docs/render_pictures.py); a package so that tests and mypy import them as docs.*."""
