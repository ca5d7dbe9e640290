#!/usr/bin/env python3
"""Makes TorchSharp's native glue load on a system whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04).

libLibTorchSharp.so 0.107 needs the version GLIBCXX_3.4.32 for exactly one symbol, std::ios_base_library_init().
On such a system this script writes a patched copy of the library (never touching the NuGet cache):
  1. the symbol's version binding is cleared (patchelf), so any library may provide it;
  2. the GLIBCXX_3.4.32 requirement in .gnu.version_r is marked weak (VER_FLG_WEAK), so the loader does not refuse
     the library for lacking that version;
  3. a shim library of ours that defines the symbol is compiled (or, in the AutoBatch.Engine package, taken prebuilt
     from beside this script) and added as NEEDED (found through the library's existing RUNPATH $ORIGIN, so it must
     sit beside the patched copy).

Usage: patch_libtorchsharp.py SOURCE.so OUTPUT_DIR
Prints one line: "patched OUTPUT_DIR/libLibTorchSharp.so OUTPUT_DIR/libautobatch_iosinit.so" when it patched (or the
copy was already up to date), or "unneeded" when the system libstdc++ has GLIBCXX_3.4.32. Exit 1 with a message when a
tool it needs (patchelf, g++) is missing.
"""
import os
import shutil
import struct
import subprocess
import sys

MISSING_VERSION = b"GLIBCXX_3.4.32"
SYMBOL = "_ZSt21ios_base_library_initv"
SHIM = "libautobatch_iosinit.so"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2
HERE = os.path.dirname(os.path.abspath(__file__))


def system_libstdcxx():
    """The libstdc++.so.6 the dynamic loader resolves, from ldconfig's cache (AUTOBATCH_LIBSTDCXX overrides it)."""
    if os.environ.get("AUTOBATCH_LIBSTDCXX"):
        return os.environ["AUTOBATCH_LIBSTDCXX"]
    out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("libstdc++.so.6 ") and "x86-64" in line:
            return line.split("=>")[-1].strip()
    raise SystemExit("patch_libtorchsharp: ldconfig knows no x86-64 libstdc++.so.6")


def system_has_version():
    with open(system_libstdcxx(), "rb") as f:
        return MISSING_VERSION + b"\0" in f.read()


def set_weak_flag(path):
    """Sets VER_FLG_WEAK on the .gnu.version_r entry naming GLIBCXX_3.4.32 (ELF64, little-endian)."""
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise SystemExit(f"patch_libtorchsharp: {path} is not a 64-bit little-endian ELF file")
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        found = 0
        for _name, kind, _flags, _addr, offset, _size, link, info, _align, _entsize in sections:
            if kind != SHT_GNU_VERNEED:
                continue
            strtab = sections[link][4]
            need = offset
            for _ in range(info):
                _version, count, _file, aux, next_need = struct.unpack_from("<HHIII", data, need)
                entry = need + aux
                for _ in range(count):
                    _hash, flags, _other, name, next_aux = struct.unpack_from("<IHHII", data, entry)
                    end = data.index(b"\0", strtab + name)
                    if bytes(data[strtab + name:end]) == MISSING_VERSION:
                        struct.pack_into("<H", data, entry + 4, flags | VER_FLG_WEAK)
                        found += 1
                    entry += next_aux
                need += next_need
        if found == 0:
            raise SystemExit(f"patch_libtorchsharp: {path} requires no {MISSING_VERSION.decode()}")
        f.seek(0)
        f.write(data)


def run(*command):
    try:
        subprocess.run(command, check=True)
    except FileNotFoundError:
        raise SystemExit(f"patch_libtorchsharp: '{command[0]}' is needed (scripts/install-prerequisites.sh installs it)")


def main(source, output_dir):
    if system_has_version():
        print("unneeded")
        return
    os.makedirs(output_dir, exist_ok=True)
    target = os.path.join(output_dir, os.path.basename(source))
    shim = os.path.join(output_dir, SHIM)
    stamp = os.path.join(output_dir, "patched-from")
    key = f"{os.path.realpath(source)} {os.path.getsize(source)} {os.path.getmtime(source)}\n"
    if os.path.exists(stamp) and os.path.exists(target) and os.path.exists(shim):
        with open(stamp) as f:
            if f.read() == key:
                print(f"patched {target} {shim}")
                return
    # Built into temporary names and renamed at the end, so a build stopped half-way leaves no half-patched library.
    shim_tmp, target_tmp = shim + ".tmp", target + ".tmp"
    prebuilt = os.path.join(HERE, SHIM)
    if os.path.exists(prebuilt):
        # The AutoBatch.Engine package carries the shim built (from ios_base_library_init.cpp) when it was packed.
        shutil.copyfile(prebuilt, shim_tmp)
    else:
        run("g++", "-shared", "-fPIC", "-O2", "-o", shim_tmp, os.path.join(HERE, "ios_base_library_init.cpp"))
    shutil.copyfile(source, target_tmp)
    run("patchelf", "--clear-symbol-version", SYMBOL, target_tmp)
    run("patchelf", "--add-needed", SHIM, target_tmp)
    set_weak_flag(target_tmp)
    os.replace(shim_tmp, shim)
    os.replace(target_tmp, target)
    with open(stamp, "w") as f:
        f.write(key)
    print(f"patched {target} {shim}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
