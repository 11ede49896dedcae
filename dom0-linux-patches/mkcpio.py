#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Writes a directory tree as a reproducible newc cpio archive (the initramfs
# format Linux unpacks): sorted names, owner root, one fixed mtime, no mknod.
"""usage: mkcpio.py DIR OUT [--node PATH:c|b:MAJOR:MINOR:MODE]... [--mtime SECONDS]

Device nodes are given on the command line (e.g. dev/console:c:5:1:600), so
building the archive needs no root privileges and no real nodes on disk.
"""
import os
import stat
import sys


def header(ino, mode, nlink, mtime, size, rdev_major, rdev_minor, name):
    fields = (ino, mode, 0, 0, nlink, mtime, size, 0, 0, rdev_major, rdev_minor, len(name) + 1, 0)
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad4(n):
    return b"\0" * (-n % 4)


def entry(out, ino, mode, nlink, mtime, data, name, rdev=(0, 0)):
    name_b = name.encode()
    h = header(ino, mode, nlink, mtime, len(data), rdev[0], rdev[1], name_b) + name_b + b"\0"
    out.write(h + pad4(len(h)))
    out.write(data + pad4(len(data)))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    root, out_path = args[0], args[1]
    nodes = []
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    rest = args[2:]
    while rest:
        opt = rest.pop(0)
        if opt == "--node" and rest:
            path, kind, major, minor, perm = rest.pop(0).split(":")
            if kind not in ("c", "b"):
                sys.exit(f"mkcpio: --node {path}: type must be c or b, not {kind}")
            fmt = stat.S_IFCHR if kind == "c" else stat.S_IFBLK
            nodes.append((path, fmt | int(perm, 8), int(major), int(minor)))
        elif opt == "--mtime" and rest:
            mtime = int(rest.pop(0))
        else:
            sys.exit(f"mkcpio: bad argument {opt!r}\n{__doc__}")

    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in dirnames + sorted(filenames):
            full = os.path.join(dirpath, n)
            paths.append((os.path.relpath(full, root), full))
    paths.sort()
    node_paths = {p for p, _, _, _ in nodes}

    ino = 1
    with open(out_path, "wb") as out:
        for rel, full in paths:
            if rel in node_paths:
                continue
            st = os.lstat(full)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                entry(out, ino, stat.S_IFDIR | perm, 2, mtime, b"", rel)
            elif stat.S_ISLNK(st.st_mode):
                entry(out, ino, stat.S_IFLNK | 0o777, 1, mtime, os.readlink(full).encode(), rel)
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    entry(out, ino, stat.S_IFREG | perm, 1, mtime, f.read(), rel)
            else:
                sys.exit(f"mkcpio: {full}: not a file, directory or symlink (use --node for devices)")
            ino += 1
        for path, mode, major, minor in nodes:
            entry(out, ino, mode, 1, mtime, b"", path, (major, minor))
            ino += 1
        entry(out, 0, 0, 1, 0, b"", "TRAILER!!!")


if __name__ == "__main__":
    main()
