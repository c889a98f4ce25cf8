"""``geoapp users …``: create, list, disable users, change roles and scopes, make API tokens.

Trips people up: ``--province`` takes ``12`` (both editions) or ``edition:code``; a token is
shown once and cannot be read back; disabling ends sessions and revokes tokens.
"""
from __future__ import annotations

import click

from .common import GeoappGroup, pass_ctx


@click.group("users", cls=GeoappGroup)
def users_group():
    """User accounts, roles and province scopes."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), required=True)
@click.option("--province", "provinces", multiple=True,
              help="Province the user may read/edit: 12 or edition:code (2025:12, pre2025:12); repeatable.")
@click.option("--all-provinces", is_flag=True, help="Every province (viewers reading all, national editors).")
@click.option("--password", help="Leave out to be asked (not echoed).")
@pass_ctx
def users_add(ctx, name, role, provinces, all_provinces, password):
    """Create a user."""
    from .. import access

    if not password:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    user = access.add_user(ctx.store, name, role, provinces, password, all_provinces=all_provinces)
    scope = "all provinces" if user["all_provinces"] else ", ".join(user["provinces"])
    click.echo(f"user {name} ({role}) created: {scope}")


@users_group.command("list")
@pass_ctx
def users_list(ctx):
    """List users; on a demo instance, the demo accounts with their published passwords."""
    from ..demo.instance import demo_passwords

    demo = demo_passwords(ctx.store)
    for u in ctx.store.users().itertuples():
        scope = "*" if u.all_provinces else ",".join(u.provinces)
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        shown = f"demo password: {demo[u.name]}" if u.name in demo and not u.disabled else ""
        click.echo(f"{u.name:<20} {u.role:<7} {state:<8} {scope:<20} {shown}".rstrip())
    if demo:
        click.echo("demo instance: the demo passwords are published (README); change them or disable "
                   "these accounts before any real use (`geoapp users disable NAME`)")


@users_group.command("disable")
@click.argument("name")
@pass_ctx
def users_disable(ctx, name):
    """Disable a user: sessions end, tokens are revoked."""
    from .. import access

    access.disable_user(ctx.store, name)
    click.echo(f"user {name} disabled")


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(["admin", "editor", "viewer"]))
@click.option("--province", "provinces", multiple=True, help="Replace the province scope.")
@click.option("--all-provinces/--own-provinces", default=None)
@pass_ctx
def users_set_role(ctx, name, role, provinces, all_provinces):
    """Change a user's role (and optionally scope)."""
    from .. import access

    access.set_role(ctx.store, name, role, list(provinces) if provinces else None, all_provinces=all_provinces)
    click.echo(f"user {name} is now {role}")


@users_group.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
@pass_ctx
def users_token(ctx, name, label):
    """Create an API token for scripts (shown once; send it as `Authorization: Bearer …`)."""
    from .. import access

    click.echo(access.create_token(ctx.store, name, label))
