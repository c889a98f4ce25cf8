"""``geoapp serve``: serve the web app with waitress (a production WSGI server).

Trips people up: host, port and threads default to GEOAPP_HOST / GEOAPP_PORT /
GEOAPP_THREADS; the app is built here, at run time, never at import.
"""
from __future__ import annotations

import click

from .common import Context, pass_ctx


@click.command("serve")
@click.option("--host", help="Address to listen on (default GEOAPP_HOST).")
@click.option("--port", type=int, help="Port (default GEOAPP_PORT).")
@pass_ctx
def serve_command(ctx: Context, host, port):
    """Serve the web app with waitress (a production WSGI server)."""
    import waitress

    from ..web import create_app

    app = create_app()
    host = host or ctx.settings["HOST"]
    port = port or ctx.settings["PORT"]
    click.echo(f"geoapp on http://{host}:{port}/  (Ctrl+C stops)")
    waitress.serve(app, host=host, port=port, threads=ctx.settings["THREADS"])
