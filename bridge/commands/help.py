"""`csr help`: what the caller may run, or one command's usage."""

from collections.abc import Callable

from bridge.commands.registry import Arg, CommandSpec, Invocation
from bridge.commands.replies import Item, ItemList, Reply, Text
from bridge.domain.agent import Role

Catalog = Callable[[Role | None], list[CommandSpec]]
"""The commands a role may run (the bus's `visible_to`)."""


def commands(catalog: Catalog) -> list[CommandSpec]:
    async def help_command(inv: Invocation) -> Reply:
        specs = catalog(inv.ctx.role)
        if inv.args:
            wanted = inv.args[0].lower()
            for spec in specs:
                if wanted == spec.name or wanted in spec.aliases:
                    return Text(f"`{spec.usage}`\n{spec.summary}")
            return Text(f"No command `{wanted}` that you may run.", error=True)
        items = tuple(Item(title=s.usage, detail=s.summary) for s in sorted(specs, key=lambda s: s.name))
        return ItemList(title="Commands you can run", items=items)

    return [CommandSpec("help", "List the commands you may run, or explain one.", help_command,
                        args=(Arg("command", optional=True),))]
