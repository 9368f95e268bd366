"""Move tcplab's flat modules into one sub-package per layer and rewrite every import (issue 9).

Run at the repository root:  python scripts/relayer.py  [--plan]

The step is mechanical and idempotent: it resolves every import of a tcplab module
(absolute, relative, inside functions and docstrings) and every dotted name or path
that names one, maps it through `MOVES`, writes it back, then moves the files with
`git mv`.  Run again on the moved tree it changes nothing; run on a tree where new
code still uses the old names it rewrites just that code.  A top-level module it has no
place for stops it before it changes anything: add the module to `MOVES` and run again.  It rewrites tcplab/**,
tests/**, benchmarks/**, scripts/**, docs/**, README.md, the Makefile and the cell
sources of book/**/*.ipynb (with nbformat, the writer of scripts/execute_notebooks.py;
outputs are never touched).  Every top-level module it does not know is reported,
never left silently.
"""

import argparse
import ast
import pathlib
import re
import subprocess
import sys

PACKAGE = "tcplab"

#: Where each flat module goes (names relative to tcplab).  The layers, lowest first, and what they hold.
LAYERS = {
    "core": "The sans-I/O TCP of RFC 9293: segments, states, the TCB, the endpoint, traces (stdlib only).",
    "analysis": "Pure functions over a Trace: states inferred from segments, a kernel run beside the model.",
    "sim": "The deterministic simulator: the link and its faults, the applications, the named scenarios.",
    "io": "Files and packets: pcap reading and writing, conversion to and from scapy.",
    "live": "Real traffic: loopback captures, network namespaces, the TUN driver against Linux.",
    "views": "What the book shows: the figures (ladder, state diagram, time-sequence graph, header) and widgets.",
    "chapters": "Thin per-chapter helpers and the exercises.",
}
MOVES = {
    # core
    "seqspace": "core.seqspace", "segment": "core.segment", "states": "core.states", "config": "core.config",
    "errors": "core.errors", "validation": "core.validation", "tcb": "core.tcb", "timers": "core.timers",
    "rto": "core.rto", "sendpath": "core.sendpath", "arrival": "core.arrival", "endpoint": "core.endpoint",
    "trace": "core.trace",
    # analysis
    "inference": "analysis.inference", "comparison": "analysis.comparison",
    # sim
    "sim": "sim.simulator", "faults": "sim.faults", "apps": "sim.apps", "scenarios": "sim.scenarios",
    # io
    "pcap": "io.pcap", "scapy_convert": "io.scapy_convert",
    # live
    "capture": "live.capture", "kernel": "live.kernel", "netns": "live.netns", "sockio": "live.sockio",
    "linuxsockets": "live.linuxsockets", "browser": "live.browser",
    # views: the modules of tcplab/plot/ and tcplab/widgets/ follow their folders (FOLDERS)
    # chapters
    "handshake": "chapters.handshake", "transfer": "chapters.transfer", "teardown": "chapters.teardown",
    "faq": "chapters.faq", "framing": "chapters.framing", "exercises": "chapters.exercises",
    "realtraffic": "chapters.realtraffic", "puzzles": "chapters.puzzles",
}
#: Old sub-packages whose modules move as a whole into a layer.
FOLDERS = {"plot": "views", "widgets": "views.widgets"}
#: Modules that stay at the top: the public API and the command line.
STAY = {"__init__", "__main__"}
#: Folders of package data that stay where they are.
DATA = {"recordings", "__pycache__"}
#: Attributes `tcplab` keeps for readers (`from tcplab import scenarios, plot`), loaded on first use.
LAZY = {"scenarios": "sim.scenarios", "plot": "views"}

TEXT_GLOBS = ["tcplab/**/*.py", "tests/**/*.py", "benchmarks/**/*.py", "scripts/**/*.py", "docs/**/*.md",
              "README.md", "Makefile", "book/**/*.md"]
NOTEBOOK_GLOB = "book/**/*.ipynb"
SELF = pathlib.Path(__file__).resolve()


# --- the map -------------------------------------------------------------------------------------
class ModuleMap:
    """Old dotted module names to new ones, and the set of module names of the new layout."""

    def __init__(self, root):
        self.old = {f"{PACKAGE}.{k}": f"{PACKAGE}.{v}" for k, v in MOVES.items()}
        self.new = set(self.old.values()) | {f"{PACKAGE}.{layer}" for layer in LAYERS} | {PACKAGE}
        self.new |= {f"{PACKAGE}.{name}" for name in STAY}
        for old_folder, layer in FOLDERS.items():
            self.old[f"{PACKAGE}.{old_folder}"] = f"{PACKAGE}.{layer}"
            for folder in (root / PACKAGE / old_folder, root / PACKAGE / layer.replace(".", "/")):
                for path in folder.glob("*.py"):
                    if path.stem != "__init__":
                        self.old[f"{PACKAGE}.{old_folder}.{path.stem}"] = f"{PACKAGE}.{layer}.{path.stem}"
        for layer in LAYERS:  # modules a branch added inside a layer are new names too
            self.new |= {f"{PACKAGE}.{layer}.{p.stem}" for p in (root / PACKAGE / layer).glob("*.py")}
        self.new |= set(self.old.values())
        # A dotted name that is both an old module and a new package (tcplab.sim) is the old module
        # only while its flat file still exists.
        self.public = public_names(root)
        self.ambiguous = {name for name in self.old if name in self.new}
        self.premove = {name for name in self.ambiguous
                        if (root / PACKAGE / (name.split(".", 1)[1].replace(".", "/") + ".py")).is_file()}

    def is_module(self, dotted):
        return dotted in self.old or dotted in self.new

    def module(self, dotted):
        """The new name of module *dotted* (unchanged if it does not move)."""
        if dotted in self.ambiguous and dotted not in self.premove:
            return dotted
        return self.old.get(dotted, dotted)

    def attribute_home(self, dotted):
        """The new module that holds the attributes of old module *dotted* (`from tcplab.sim import Simulator`)."""
        return self.old.get(dotted, dotted)

    def dotted(self, name):
        """A dotted reference `tcplab.a.b.c` (module, then maybe attributes) in the new layout."""
        parts = name.split(".")
        for n in range(len(parts), 1, -1):
            head, tail = ".".join(parts[:n]), parts[n:]
            if head in self.new and head not in self.ambiguous:
                return name
            if head in self.ambiguous and tail and f"{head}.{tail[0]}" in self.new:
                return name
            if head in self.old:
                new = self.module(head) if not tail else self.attribute_home(head)
                return ".".join([new] + tail)
        return name


def public_names(root):
    """The names of `__all__` in tcplab/__init__.py: what readers import from `tcplab` itself."""
    tree = ast.parse((root / PACKAGE / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


# --- imports in text -------------------------------------------------------------------------------
FROM_IMPORT = re.compile(
    r"^(?P<lead>[ \t]*(?:>>> |\.\.\. )?)from[ \t]+(?P<module>\.+[\w.]*|" + PACKAGE + r"(?:\.\w+)*)[ \t]+import[ \t]+"
    r"(?P<names>\([^)]*\)|[^\n#]*?)(?P<comment>[ \t]*#[^\n]*)?$", re.M)
# `python -c "import sys; from tcplab import kernel; ..."`: a one-line import inside a string
INLINE_FROM = re.compile(r"(?:(?<=; )|(?<=[\"']))(?P<lead>)from[ \t]+(?P<module>" + PACKAGE + r"(?:\.\w+)*)[ \t]+import[ \t]+"
                         r"(?P<names>\w+(?:[ \t]*,[ \t]*\w+)*)(?P<comment>)(?=[ \t]*(?:;|[\"']|$))", re.M)
PLAIN_IMPORT = re.compile(r"^(?P<lead>[ \t]*(?:>>> |\.\.\. )?)import[ \t]+(?P<module>" + PACKAGE +
                          r"(?:\.\w+)+)(?P<alias>[ \t]+as[ \t]+\w+)?(?P<comment>[ \t]*#[^\n]*)?$", re.M)
DOTTED = re.compile(r"(?<![\w.])" + PACKAGE + r"(?:\.\w+)+")
PATH = re.compile(r"\b" + PACKAGE + r"/((?:\w+/)*\w+)(\.py|/)")


def parse_names(text):
    """[(name, alias or None)] of the names part of a from-import."""
    text = re.sub(r"#[^\n]*", "", text.strip().strip("()"))
    names = []
    for item in text.replace("\n", " ").split(","):
        item = item.strip()
        if item:
            name, _, alias = item.partition(" as ")
            names.append((name.strip(), alias.strip() or None))
    return names


class Rewriter:
    """Rewrites the text of one file (or one notebook cell) for the new layout."""

    def __init__(self, mapping, package=None, new_package=None, public=False):
        self.map = mapping
        self.package = package            # the dotted package a file inside tcplab is in now
        self.new_package = new_package    # ... and after the move
        self.public = public              # outside the package: keep `from tcplab import scenarios, plot`

    def __call__(self, text):
        # Dotted names first: an import written by this pass (`from tcplab.sim import faults`) must not be
        # read again as a dotted name (`tcplab.sim` is the old simulator module while sim.py exists).
        text = self._dotted_and_paths(text)
        text = FROM_IMPORT.sub(self._from_import, text)
        text = INLINE_FROM.sub(self._from_import, text)
        text = PLAIN_IMPORT.sub(self._plain_import, text)
        return text

    # from X import a, b
    def _absolute(self, module):
        if not module.startswith("."):
            return module
        if self.package is None:
            return None  # a relative import of another package (tests/), not ours
        dots = len(module) - len(module.lstrip("."))
        base = self.package.split(".")[:len(self.package.split(".")) - dots + 1]
        rest = module.lstrip(".")
        return ".".join(base + ([rest] if rest else []))

    def _render_module(self, target, relative):
        if not relative:
            return target
        here, there = self.new_package.split("."), target.split(".")
        common = 0
        while common < min(len(here), len(there)) and here[common] == there[common]:
            common += 1
        return "." * (len(here) - common + 1) + ".".join(there[common:])

    def _from_import(self, match):
        source = self._absolute(match["module"])
        if source is None or not (source == PACKAGE or source.startswith(PACKAGE + ".")):
            return match[0]
        groups, original = {}, []
        for name, alias in parse_names(match["names"]):
            original.append(name if alias is None else f"{name} as {alias}")
            full = f"{source}.{name}"
            if self.public and source == PACKAGE and name in LAZY:
                home, leaf = PACKAGE, name
            elif self.map.is_module(full) and name != "*":
                new = self.map.module(full)
                home, leaf = new.rsplit(".", 1)
            else:
                home, leaf = self.map.attribute_home(source), name
            shown = leaf if alias is None and leaf == name else f"{leaf} as {alias or name}"
            groups.setdefault(home, []).append(shown)
        if self.public:  # readers import the public API from tcplab itself
            for home in [h for h in groups if h.startswith(f"{PACKAGE}.core.")]:
                if all(name in self.map.public for name in groups[home]):
                    groups.setdefault(PACKAGE, []).extend(groups.pop(home))
        relative = match["module"].startswith(".")
        if groups == {source: original} and (not relative or self.new_package == self.package):
            return match[0]
        lead, comment = match["lead"], match["comment"] or ""
        if len(groups) == 1 and list(groups.values()) == [original]:
            [home] = groups
            start, end = match.span("module")
            offset, text = match.start(), match[0]
            module = self._render_module(home, relative)
            rest = text[end - offset:]
            shift = len(module) - (end - start)
            column = text.find("(") - text.rfind("\n", 0, text.find("(")) - 1  # of "(" on its line
            aligned = "\n" in rest and rest.split("\n")[1][:column + 1].isspace() \
                and not rest.split("\n")[1][column + 1:column + 2].isspace()
            if aligned:  # continuation lines under the opening parenthesis stay there
                first, *more = rest.split("\n")
                more = [(" " * shift + line) if shift > 0 else line[min(-shift, len(line) - len(line.lstrip())):]
                        for line in more]
                rest = "\n".join([first] + more)
            return text[:start - offset] + module + rest
        lines = [self._line(lead, self._render_module(home, relative), names, comment)
                 for home, names in sorted(groups.items(), key=lambda item: self._render_module(item[0], relative))]
        return ("\n" if match.re is FROM_IMPORT else "; ").join(lines)

    @staticmethod
    def _line(lead, module, names, comment, width=120):
        line = f"{lead}from {module} import {', '.join(names)}{comment}"
        if len(line) <= width:
            return line
        indent = " " * len(f"{lead}from {module} import (")
        rows, row = [], ""
        for name in names:
            if row and len(indent) + len(row) + len(name) + 2 > width:
                rows.append(row.rstrip(", "))
                row = ""
            row += name + ", "
        rows.append(row.rstrip(", "))
        return f"{lead}from {module} import (" + (",\n" + indent).join(rows) + f"){comment}"

    # import tcplab.x [as y]
    def _plain_import(self, match):
        new = self.map.module(match["module"])
        if new == match["module"]:
            return match[0]
        return f"{match['lead']}import {new}{match['alias'] or ''}{match['comment'] or ''}"

    # tcplab.kernel.main, "tcplab.capture", python -m tcplab.kernel, tcplab/kernel.py, tcplab/plot/
    def _dotted_and_paths(self, text):
        text = DOTTED.sub(self._dotted, text)
        return PATH.sub(self._path, text)

    def _dotted(self, match):
        # Also `tcplab.plot` in a reader's text: a string may name it for import (pytest.importorskip), which
        # the lazy attribute cannot serve.
        return self.map.dotted(match[0])

    def _path(self, match):
        dotted = f"{PACKAGE}." + match[1].replace("/", ".")
        if match[2] == ".py" and self.map.is_module(dotted):
            new = self.map.module(dotted)
        elif match[2] == "/" and dotted in self.map.old and dotted in self.map.new:
            new = dotted  # tcplab/sim/ is the new package
        elif match[2] == "/":
            new = self.map.old.get(dotted, dotted)
        else:
            return match[0]
        return new.replace(".", "/") + match[2]


def sort_import_runs(text):
    """Sort each run of one-line top-level imports of tcplab modules, as isort would (parents first)."""
    kinds = {"relative": re.compile(r"^from \.+[\w.]* import [^()\n]*$"),
             "absolute": re.compile(r"^from " + PACKAGE + r"[\w.]* import [^()\n]*$")}
    out, run, run_kind = [], [], None

    def key(line):
        module = line.split()[1]
        return -(len(module) - len(module.lstrip("."))), module.lstrip(".")

    for line in text.split("\n") + [None]:
        kind = next((k for k, pattern in kinds.items() if line is not None and pattern.match(line)), None)
        if kind is not None and kind == run_kind:
            run.append(line)
            continue
        out += merge_same_module(sorted(run, key=key))
        run, run_kind = ([line], kind) if kind else ([], None)
        if kind is None and line is not None:
            out.append(line)
    return "\n".join(out)


def merge_same_module(lines):
    """One line per module: `from tcplab import A` and `from tcplab import B` become `from tcplab import A, B`."""
    merged = {}
    for line in lines:
        module, names = line[5:].split(" import ", 1)
        if "#" in names:
            merged[line] = None
            continue
        merged.setdefault(module, [])
        merged[module] += [n.strip() for n in names.split(",") if n.strip() not in merged[module]]
    return [key if names is None else Rewriter._line("", key, names, "") for key, names in merged.items()]


# --- the package's own files -------------------------------------------------------------------------------
def plan(root):
    """[(old path, new path)] of the files to move, and the modules nobody placed."""
    moves, unplaced = [], []
    package = root / PACKAGE
    for path in sorted(package.glob("*.py")):
        name = path.stem
        if name in STAY:
            continue
        if name in MOVES:
            moves.append((path, package / (MOVES[name].replace(".", "/") + ".py")))
        else:
            unplaced.append(f"{PACKAGE}/{path.name}")
    for old_folder, layer in FOLDERS.items():
        for path in sorted((package / old_folder).glob("*.py")):
            moves.append((path, package / layer.replace(".", "/") / path.name))
    for path in sorted(p for p in package.iterdir() if p.is_dir()):
        if path.name not in LAYERS and path.name not in FOLDERS and path.name not in DATA:
            unplaced.append(f"{PACKAGE}/{path.name}/")
    return moves, unplaced


def package_of(root, path):
    return ".".join(path.relative_to(root).with_suffix("").parts[:-1])


def rewrite_python(root, path, mapping, new_path=None):
    inside = path.relative_to(root).parts[0] == PACKAGE
    package = package_of(root, path) if inside else None
    new_package = package_of(root, new_path) if inside and new_path else package
    text = path.read_text()
    new = Rewriter(mapping, package, new_package, public=not inside)(text)
    new = sort_import_runs(new)
    if inside:
        new = new.replace("resources.files(__package__)", f'resources.files("{PACKAGE}")')  # package data stays
    if new != text:
        path.write_text(new)
        return True
    return False


def rewrite_notebook(path, mapping):
    import nbformat
    nb = nbformat.read(path, as_version=4)
    rewrite = Rewriter(mapping, public=True)
    changed = False
    for cell in nb.cells:
        if cell.cell_type not in ("code", "markdown"):
            continue
        if cell.cell_type == "code":
            new = sort_import_runs(rewrite(cell.source))
        else:
            new = rewrite._dotted_and_paths(cell.source)
        if new != cell.source:
            cell.source = new
            changed = True
    if changed:
        nbformat.write(nb, path)  # as scripts/execute_notebooks.py writes it
    return changed


INIT_DOC = '''"""tcplab: a sans-I/O TCP endpoint, a deterministic simulator and the views of the book.

One sub-package per layer; imports point downward only (tests/test_layers.py checks this):

{layers}

`import tcplab` loads only the core; its attributes `scenarios` and `plot` load when first used.
"""'''
LAZY_BLOCK = '''

_LAZY = {lazy}


def __getattr__(name):
    """The attributes `scenarios` and `plot`, imported on first use so `import tcplab` stays light (PEP 562)."""
    if name in _LAZY:
        import importlib
        return importlib.import_module(_LAZY[name])
    raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
'''


def write_init(root):
    """tcplab/__init__.py: the layers in its docstring, the core re-exported, the lazy attributes."""
    path = root / PACKAGE / "__init__.py"
    text = path.read_text()
    tree = ast.parse(text)
    doc_end = tree.body[0].end_lineno if isinstance(tree.body[0], ast.Expr) else 0
    layers = "\n".join(f"- `{layer}/`: {doc}" for layer, doc in LAYERS.items())
    body = "\n".join(text.split("\n")[doc_end:])
    if "def __getattr__" not in body:
        lazy = "{" + ", ".join(f'"{k}": "{PACKAGE}.{v}"' for k, v in LAZY.items()) + "}"
        body = body.rstrip("\n") + LAZY_BLOCK.format(lazy=lazy)
    path.write_text(INIT_DOC.format(layers=layers) + "\n\n" + body.lstrip("\n"))


def write_layer_inits(root):
    """An __init__.py with the layer's docstring in every layer that has none (a moved folder keeps its own)."""
    for layer, doc in LAYERS.items():
        init = root / PACKAGE / layer / "__init__.py"
        if not init.exists():
            init.parent.mkdir(exist_ok=True)
            init.write_text(f'"""{doc}"""\n')
            git(root, "add", str(init.relative_to(root)))


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)


def leftovers(root, files):
    """Calls that the cycle breaks removed and new code may still use, and exercises registered elsewhere
    (in a notebook the line number counts the lines of its code cells, joined)."""
    found = []
    patterns = {r"(?<!scapy_convert)\.to_scapy\(|\bSegment\.from_scapy\(": "use tcplab.io.scapy_convert.to_scapy/from_scapy",
                r"\.to_pcap\(": "use tcplab.io.pcap.write_pcap(trace, path)",
                r"from \.+exercises import exercise\b": "register the exercise in tcplab/chapters/exercises.py"}
    for path in files:
        if path.resolve() == SELF:
            continue
        text = path.read_text()
        if path.suffix == ".ipynb":
            import nbformat
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells if c.cell_type == "code")
        for n, line in enumerate(text.split("\n"), 1):
            for pattern, advice in patterns.items():
                if re.search(pattern, line):
                    found.append(f"{path.relative_to(root)}:{n}: {advice}: {line.strip()}")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path.cwd())
    parser.add_argument("--plan", action="store_true", help="print the moves and change nothing")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / PACKAGE / "__init__.py").is_file():
        print(f"run at the repository root: no {PACKAGE}/__init__.py under {root}", file=sys.stderr)
        return 2
    mapping = ModuleMap(root)
    moves, unplaced = plan(root)
    destination = {old: new for old, new in moves}
    for name in unplaced:
        print(f"NOT PLACED (add it to MOVES in scripts/relayer.py): {name}", file=sys.stderr)
    if args.plan:
        for old, new in moves:
            print(f"{old.relative_to(root)} -> {new.relative_to(root)}")
    if unplaced or args.plan:
        return 1 if unplaced else 0

    changed = []
    files = sorted({p for pattern in TEXT_GLOBS for p in root.glob(pattern)
                    if "__pycache__" not in p.parts and p.resolve() != SELF})
    for path in files:
        if path.suffix == ".py":
            if rewrite_python(root, path, mapping, destination.get(path)):
                changed.append(path)
        else:
            text = path.read_text()
            new = Rewriter(mapping, public=True)(text)
            if path.suffix == ".md":
                new = sort_import_runs(new)
            if new != text:
                path.write_text(new)
                changed.append(path)
    for path in sorted(root.glob(NOTEBOOK_GLOB)):
        if ".ipynb_checkpoints" not in path.parts and "_build" not in path.parts and rewrite_notebook(path, mapping):
            changed.append(path)

    for old, new in moves:
        new.parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", str(old.relative_to(root)), str(new.relative_to(root)))
    for old_folder in FOLDERS:
        folder = root / PACKAGE / old_folder
        if folder.is_dir() and not any(p.suffix == ".py" for p in folder.rglob("*")):
            subprocess.run(["rm", "-rf", str(folder)], check=True)
    write_layer_inits(root)
    write_init(root)

    print(f"moved {len(moves)} modules, rewrote {len(changed)} files")
    for path in changed:
        print(f"  rewrote {path.relative_to(root)}")
    notebooks = sorted(p for p in root.glob(NOTEBOOK_GLOB) if "_build" not in p.parts)
    for line in leftovers(root, [p for p in files if p.exists()] + [p for _, p in moves] + notebooks):
        print(f"  still to do by hand: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
