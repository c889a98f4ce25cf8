"""How long the zip check takes on a lying zip bomb and on an honest zip of the same size (issue 12).

    python bench/bench_zip_bomb.py

The bomb: one member of ``BENCH_BOMB_GB`` (default 2) gigabytes of zeros, whose headers claim
1 KB (with the CRC of 1 KB of zeros, so Python's zipfile reads it happily). The issue asks that
such a file be refused within 2 s; GDAL used to spend 27 s on it. The honest zip holds the same
number of compressed bytes of random data: the cost of the check on a real upload.
"""
from __future__ import annotations

import io
import os
import random
import struct
import time
import zipfile
import zlib

from geoapp.errors import InputError
from geoapp.sources import check_zip


def lying_bomb(gigabytes: float) -> bytes:
    # deflate of zeros repeats itself: compress 16 MB once and the stream is that block many times over
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("big.geojson", "w", force_zip64=True) as fh:
        block = bytes(16 << 20)
        for _ in range(int(gigabytes * 64)):
            fh.write(block)
    data = bytearray(buf.getvalue())
    crc, central = zlib.crc32(bytes(1024)), data.rfind(b"PK\x01\x02")
    for at in (14, central + 16):                 # CRC-32 in the local header and the central directory
        struct.pack_into("<L", data, at, crc)
    struct.pack_into("<L", data, 22, 1024)        # only the 32-bit size fields lie; zip64 extras are left alone
    struct.pack_into("<L", data, central + 24, 1024)
    return bytes(data)


def timed(label: str, data: bytes) -> None:
    start = time.perf_counter()
    try:
        check_zip(io.BytesIO(data), label)
        verdict = "accepted"
    except InputError as exc:
        verdict = f"refused: {exc.message[:90]}"
    print(f"{label:12s} {len(data) / 2 ** 20:8.2f} MB  {time.perf_counter() - start:7.3f} s  {verdict}")


if __name__ == "__main__":
    gb = float(os.environ.get("BENCH_BOMB_GB", "2"))
    t = time.perf_counter()
    bomb = lying_bomb(gb)
    print(f"built a {gb:g} GB bomb in {time.perf_counter() - t:.1f} s")
    timed("bomb.zip", bomb)
    honest = io.BytesIO()
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("noise.bin", random.Random(1).randbytes(len(bomb)))
    timed("honest.zip", honest.getvalue())
