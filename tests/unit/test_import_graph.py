"""No import cycle among the product's modules, counting function-level and TYPE_CHECKING imports.

The one exception is the app container, `bridge.app`, which names the feature services it holds and which only
the composition root and each adapter's `plugin.build` use: a cycle through it is tolerated, any other fails.
The layers themselves are checked by `lint-imports` (pyproject.toml), run by scripts/test.sh.
"""

import grimp

PACKAGES = ("bridge", "routing", "knowledge", "transcripts", "cases", "reports", "followup", "adapters")
TOLERATED = {"bridge.app"}


def cycles(graph: grimp.ImportGraph, leave_out: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    modules = sorted(m for m in graph.modules if m not in leave_out)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) - leave_out)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) - leave_out))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_import_cycle_but_through_the_app_container() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert cycles(graph, TOLERATED) == []


def test_the_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.y", imported="a.z")
    assert cycles(graph, set()) == [["a.x", "a.y"]]
