#!/usr/bin/env python3
"""Make libLibTorchSharp.so load on distros whose libstdc++ lacks GLIBCXX_3.4.32.

TorchSharp 0.107's native shim records a need for GLIBCXX_3.4.32 only because of the
symbol `_ZSt21ios_base_library_initv` (an iostream init marker it never calls). Debian 12
ships libstdc++ up to 3.4.30, so the dynamic loader refuses the library. Marking that one
version need weak (VER_FLG_WEAK in .gnu.version_r) lets it load; nothing else changes.
Does nothing when the system libstdc++ already provides the version (e.g. Ubuntu 24.04).

usage: patch-libtorchsharp.py PATH...   (files or folders searched for libLibTorchSharp.so)
"""
import glob, os, struct, sys

WANTED = b"GLIBCXX_3.4.32"
VER_FLG_WEAK = 0x2


def system_has_version() -> bool:
    for lib in glob.glob("/usr/lib/*/libstdc++.so.6") + glob.glob("/usr/lib64/libstdc++.so.6"):
        with open(os.path.realpath(lib), "rb") as f:
            if WANTED in f.read():
                return True
    return False


def patch(path: str) -> str:
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            return "not a little-endian ELF64 file"
        e_shoff, = struct.unpack_from("<Q", data, 0x28)
        e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
        SHT_GNU_verneed = 0x6FFFFFFE
        for sh in sections:
            if sh[1] != SHT_GNU_verneed:
                continue
            strtab = sections[sh[6]]  # sh_link -> .dynstr
            str_off = strtab[4]
            off = sh[4]
            while True:
                vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, off)
                aux = off + vn_aux
                for _ in range(vn_cnt):
                    vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                    end = data.index(b"\0", str_off + vna_name)
                    if bytes(data[str_off + vna_name:end]) == WANTED:
                        if vna_flags & VER_FLG_WEAK:
                            return "already patched"
                        struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                        f.seek(0)
                        f.write(data)
                        return "patched"
                    aux += vna_next
                if vn_next == 0:
                    break
                off += vn_next
        return "no GLIBCXX_3.4.32 need found"


def main() -> int:
    if system_has_version():
        return 0
    files = []
    for arg in sys.argv[1:]:
        if os.path.isdir(arg):
            files += glob.glob(os.path.join(arg, "**", "libLibTorchSharp.so"), recursive=True)
        elif os.path.isfile(arg):
            files.append(arg)
    for path in files:
        result = patch(path)
        if result == "patched":
            print(f"patch-libtorchsharp: {path}: marked {WANTED.decode()} weak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
