#!/usr/bin/python3
"""Writes the seed corpora of fuzz_npy, fuzz_idx and fuzz_cifar into fuzz/corpus/: tiny
hand-made files in each format (no real data), with the standard library only.

    /usr/bin/python3 fuzz/make_corpus.py
"""
import gzip
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data)


def npy(descr, shape, data, major=1):
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    prefix = 10 if major == 1 else 12
    pad = 64 - (prefix + len(text) + 1) % 64
    header = (text + " " * pad + "\n").encode("latin1")
    size = struct.pack("<H" if major == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + size + header + data


def idx(code, dims, data):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def main():
    put("npy", "f4_2x3.npy", npy("<f4", "(2, 3)", struct.pack("<6f", 0, 1, 2, 3, 4, 5)))
    put("npy", "f8_be.npy", npy(">f8", "(2,)", struct.pack(">2d", 1.5, -2.0)))
    put("npy", "u1_scalar.npy", npy("|u1", "()", b"\x07"))
    put("npy", "i2_be.npy", npy(">i2", "(2, 1)", struct.pack(">2h", -2, 3)))
    put("npy", "i8_v2.npy", npy("<i8", "(1,)", struct.pack("<q", -9), major=2))
    put("npy", "empty.npy", npy("<i4", "(0, 4)", b""))

    put("idx", "u8_2x3", idx(0x08, [2, 3], bytes(range(6))))
    put("idx", "u8_2x2x2.gz", gzip.compress(idx(0x08, [2, 2, 2], bytes(range(8))), mtime=0))
    put("idx", "labels", idx(0x08, [4], bytes([0, 9, 3, 1])))
    put("idx", "i16", idx(0x0B, [2], struct.pack(">2h", -5, 300)))
    put("idx", "f64.gz", gzip.compress(idx(0x0E, [1], struct.pack(">d", 0.25)), mtime=0))
    # 90000 bytes of pixels in a few hundred compressed: more than the readers' first buffers
    big = bytes((i // 100) % 256 for i in range(90000))
    put("idx", "u8_9x100x100.gz", gzip.compress(idx(0x08, [9, 100, 100], big), mtime=0))

    # fuzz_cifar: flags (bit 0: write batches.meta.txt), meta length, meta, test_batch.bin
    record = bytes([3]) + bytes((i * 7) % 256 for i in range(3072))
    meta = b"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"
    put("cifar", "one_record", bytes([0, 0]) + record)
    put("cifar", "meta_two_records", bytes([1, len(meta)]) + meta + record + record)


if __name__ == "__main__":
    main()
