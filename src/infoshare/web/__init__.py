"""Server-rendered pages (Jinja2) that work without JavaScript."""
