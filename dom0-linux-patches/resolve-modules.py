#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Resolves dom0's module list against a kernel's depmod output: prints the
# needed modules in load order and writes a modules.dep for that subset.
"""usage: resolve-modules.py MODDIR MODULES.LIST ORDER_OUT SUBSET_DEP_OUT

MODDIR is /lib/modules/VERSION of the kernel package after depmod (it reads
modules.dep, modules.softdep and modules.alias there). MODULES.LIST holds
module names, one a line, '#' comments. ORDER_OUT gets every module to load
(paths relative to MODDIR), each after its hard dependencies (modules.dep)
and its "pre:" soft dependencies (modules.softdep, e.g. ext4 needs a crc32c
driver to mount a metadata_csum filesystem); SUBSET_DEP_OUT gets the
modules.dep lines of exactly those modules, so busybox modprobe works in the
initramfs too.
"""
import fnmatch
import os
import sys


def module_name(path):
    base = os.path.basename(path)
    for suffix in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base.replace("-", "_")


def norm(name):
    return name.replace("-", "_")


def read_lines(path):
    try:
        with open(path) as f:
            return [l.strip() for l in f if l.strip() and not l.startswith("#")]
    except FileNotFoundError:
        sys.exit(f"resolve-modules: {path} missing (did depmod run on the kernel tree?)")


class Modules:
    def __init__(self, moddir):
        self.deps = {}     # module path -> [dependency paths]
        self.by_name = {}  # normalised module name -> module path
        dep_path = os.path.join(moddir, "modules.dep")
        for lineno, line in enumerate(read_lines(dep_path), 1):
            if ":" not in line:
                sys.exit(f"resolve-modules: {dep_path}:{lineno}: no ':' in a modules.dep line")
            mod, rest = line.split(":", 1)
            self.deps[mod] = rest.split()
            self.by_name[module_name(mod)] = mod
        self.pre = {}  # module path -> [names or aliases]
        self.post = {}
        for line in read_lines(os.path.join(moddir, "modules.softdep")):
            words = line.split()
            if len(words) < 3 or words[0] != "softdep" or norm(words[1]) not in self.by_name:
                continue
            mod = self.by_name[norm(words[1])]
            where = self.pre
            for w in words[2:]:
                if w in ("pre:", "post:"):
                    where = self.pre if w == "pre:" else self.post
                else:
                    where.setdefault(mod, []).append(w)
        self.aliases = []  # (pattern, module name)
        for line in read_lines(os.path.join(moddir, "modules.alias")):
            words = line.split()
            if len(words) == 3 and words[0] == "alias":
                self.aliases.append((words[1], norm(words[2])))

    def lookup(self, name):
        """Module paths for a module name or an alias, as modprobe would."""
        if norm(name) in self.by_name:
            return [self.by_name[norm(name)]]
        found = []
        for pattern, mod in self.aliases:
            if fnmatch.fnmatchcase(name, pattern) and mod in self.by_name:
                path = self.by_name[mod]
                if path not in found:
                    found.append(path)
        return found


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    moddir, list_path, order_out, subset_out = sys.argv[1:]
    mods = Modules(moddir)
    wanted = read_lines(list_path)
    wanted = [l.split("#", 1)[0].strip() for l in wanted]

    missing = [n for n in wanted if norm(n) not in mods.by_name]
    if missing:
        sys.exit(f"resolve-modules: not in {moddir}/modules.dep: {' '.join(missing)} "
                 "(built into the kernel, or misspelt? check the kernel config)")

    order = []
    state = {}  # module path -> "visiting" | "done"

    def visit(mod, chain):
        if state.get(mod) == "done":
            return
        if state.get(mod) == "visiting":
            sys.exit("resolve-modules: dependency cycle: " + " -> ".join(chain + [mod]))
        if mod not in mods.deps:
            sys.exit(f"resolve-modules: {chain[-1]} depends on {mod}, which modules.dep does not list")
        state[mod] = "visiting"
        for name in mods.pre.get(mod, []):
            for soft in mods.lookup(name):
                visit(soft, chain + [mod])
        # Depth first: every dependency (and its own) lands in the order
        # before the module that needs it.
        for d in mods.deps[mod]:
            visit(d, chain + [mod])
        state[mod] = "done"
        order.append(mod)
        for name in mods.post.get(mod, []):
            for soft in mods.lookup(name):
                visit(soft, chain + [mod])

    for n in wanted:
        visit(mods.by_name[norm(n)], [])

    with open(order_out, "w") as f:
        f.writelines(m + "\n" for m in order)
    with open(subset_out, "w") as f:
        f.writelines(f"{m}: {' '.join(mods.deps[m])}".rstrip() + "\n" for m in order)


if __name__ == "__main__":
    main()
