"""`csr help`: what the caller may run, or one command's usage."""

from bridge.commands.registry import CommandSpec, Invocation
from bridge.commands.replies import Item, ItemList, Reply, Text


async def help_command(inv: Invocation) -> Reply:
    specs = inv.app.commands.visible_to(inv.ctx.role)
    if inv.args:
        wanted = inv.args[0].lower()
        for spec in specs:
            if wanted == spec.name or wanted in spec.aliases:
                return Text(f"`{spec.usage}`\n{spec.summary}")
        return Text(f"No command `{wanted}` that you may run.", error=True)
    items = tuple(Item(title=s.usage, detail=s.summary) for s in sorted(specs, key=lambda s: s.name))
    return ItemList(title="Commands you can run", items=items)


COMMANDS = [CommandSpec("help", "csr help [command]", "List the commands you may run, or explain one.",
                        help_command, max_args=1)]
