#!/usr/bin/env python3
"""Write normscope's bad-input corpus and its manifest into this folder.

Deterministic: the same Pillow version writes the same bytes (random bytes
come from a seeded generator). The committed files are what the tests use;
this script documents how each was made and rewrites them on demand:

    python3 tests/corpus/make_corpus.py     # needs Pillow (pip install pillow)

Every entry of manifest.json says what the file is and what each door must
do with it. A door is one way in: `core` (file::decode_image, or
npy::read_npy for .npy entries), `cli` (`normscope normalize`), `page`
(uploading the file on the web page). An expectation is an outcome (`ok`,
`BadInput`, `TooLarge`, `Unsupported`) and the words the message must
contain (lower case); the file name is always required too.
"""

import binascii
import io
import json
import os
import random
import struct
import zlib

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRIES = []


def write(name, data, what, core, says=(), page=None, page_says=None, size=None,
          header_only=False, npy=False):
    """Write one file and record its expectations."""
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    entry = {
        "file": name,
        "what": what,
        "kind": "npy" if npy else "image",
        "core": core,
        "says": list(says),
        "page": page or core,
        "page_says": list(page_says if page_says is not None else says),
    }
    if size:
        entry["size"] = list(size)
    if header_only:
        entry["header_only"] = True
    ENTRIES.append(entry)


# ---- small helpers -----------------------------------------------------------

def picture(w=64, h=48, mode="RGB"):
    """A small deterministic picture: a gradient with a disc and a bar."""
    img = Image.new("RGB", (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = (x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), 128)
    d = ImageDraw.Draw(img)
    d.ellipse((w // 4, h // 4, w // 2, h // 2 + h // 8), fill=(230, 40, 30))
    d.rectangle((w // 2, h // 3, w - 4, h // 3 + 4), fill=(20, 20, 200))
    return img.convert(mode) if mode != "RGB" else img


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", binascii.crc32(kind + data) & 0xFFFFFFFF))


def png(width, height, bit_depth, colour, raw, level=9):
    """A PNG from raw filtered scanlines (each starting with a filter byte)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))


def png_header_only(width, height):
    """IHDR claiming width×height, an empty zlib stream, IEND: no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def zero_rows(width_bytes, height):
    """Filtered scanlines of zeros, compressed streamingly (no big buffer)."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (width_bytes + 1)
    out = [comp.compress(row) for _ in range(height)]
    out.append(comp.flush())
    return b"".join(out)


def png_bomb(width, height):
    """A 1-bit grey PNG of zeros: tiny on disk, huge once decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zero_rows((width + 7) // 8, height)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def jpeg_with_size(data, width, height):
    """Patch the first SOF marker of a JPEG to claim width×height."""
    i = 2
    while i < len(data):
        assert data[i] == 0xFF
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            return (data[:i + 5] + struct.pack(">HH", height, width)
                    + data[i + 9:])
        i += 2 + length
    raise ValueError("no SOF marker")


def npy(descr, shape, payload, fortran=False, version=1, header=None):
    """A .npy file with any header, true or not."""
    if header is None:
        shape_txt = ("(" + ", ".join(str(d) for d in shape)
                     + ("," if len(shape) == 1 else "") + ")")
        header = (f"{{'descr': '{descr}', 'fortran_order': {fortran}, "
                  f"'shape': {shape_txt}, }}")
    h = header.encode("latin1")
    pre = 10 if version == 1 else 12
    pad = 64 - (pre + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h))
    else:
        head = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h))
    return head + h + payload


def f32(values, big=False):
    return struct.pack((">" if big else "<") + "f" * len(values), *values)


def f64(values):
    return struct.pack("<" + "d" * len(values), *values)


def ramp(n):
    return [((i * 37) % 101) / 100.0 for i in range(n)]


# ---- images normscope accepts -----------------------------------------------

pic = picture()
write("ok-rgb.png", encode(pic, "PNG"), "8-bit RGB PNG (control)", "ok", size=(64, 48))
write("ok-baseline.jpg", encode(pic, "JPEG", quality=90), "baseline JPEG (control)", "ok",
      size=(64, 48))
write("png-alpha.png", encode(picture(mode="RGBA"), "PNG"),
      "RGBA PNG, like a screenshot with transparency (alpha dropped)", "ok", size=(64, 48))
write("png-grey.png", encode(picture(mode="L"), "PNG"), "8-bit grey PNG", "ok", size=(64, 48))
write("png-grey-alpha.png", encode(picture(mode="LA"), "PNG"), "grey + alpha PNG", "ok",
      size=(64, 48))
write("png-palette.png", encode(picture(mode="P"), "PNG"), "palette (indexed) PNG", "ok",
      size=(64, 48))
write("png-palette-trns.png", encode(picture(mode="P"), "PNG", transparency=0),
      "palette PNG with a transparent colour (tRNS)", "ok", size=(64, 48))
write("png-1bit.png", encode(picture(mode="1"), "PNG"), "1-bit black-and-white PNG", "ok",
      size=(64, 48))
rows16 = b"".join(b"\x00" + b"".join(struct.pack(">HHH", x * 1000, y * 1300, 40000)
                                     for x in range(64)) for y in range(48))
write("png16-rgb.png", png(64, 48, 16, 2, rows16), "16-bit RGB PNG (values / 65535)", "ok",
      size=(64, 48))
rows16g = b"".join(b"\x00" + b"".join(struct.pack(">H", (x + y) * 580) for x in range(64))
                   for y in range(48))
write("png16-grey.png", png(64, 48, 16, 0, rows16g), "16-bit grey PNG", "ok", size=(64, 48))
write("png-1x1.png", encode(Image.new("RGB", (1, 1), (200, 100, 50)), "PNG"),
      "a single pixel", "ok", size=(1, 1))
write("png-16384x1.png", png(16384, 1, 8, 0, b"\x00" + bytes(range(256)) * 64),
      "16384×1 line: the largest side allowed", "ok", size=(16384, 1))
write("jpeg-named.png", encode(pic, "JPEG", quality=90),
      "a JPEG whose name says .png (format is read from the bytes)", "ok", size=(64, 48))
write("jpeg-progressive.jpg", encode(pic, "JPEG", quality=90, progressive=True),
      "progressive JPEG", "ok", size=(64, 48))
write("jpeg-cmyk.jpg", encode(pic.convert("CMYK"), "JPEG", quality=90),
      "CMYK JPEG (as print workflows save)", "ok", size=(64, 48))
write("jpeg-grey.jpg", encode(picture(mode="L"), "JPEG", quality=90), "grey JPEG", "ok",
      size=(64, 48))
exif = Image.Exif()
exif[0x0112] = 6  # rotate 90° clockwise to view
write("jpeg-exif-rotated.jpg", encode(pic, "JPEG", quality=90, exif=exif),
      "phone photo with EXIF orientation 6 (shown upright: 48×64)", "ok", size=(48, 64))
write("jpeg-trailer.jpg", encode(pic, "JPEG", quality=90) + b"SOME-PHONE-TRAILER" * 4,
      "JPEG with bytes after its end marker (some phones add these)", "ok", size=(64, 48))
frames = [picture(), picture().transpose(Image.Transpose.FLIP_LEFT_RIGHT),
          picture().transpose(Image.Transpose.FLIP_TOP_BOTTOM)]
write("gif-animated.gif", encode(frames[0], "GIF", save_all=True, append_images=frames[1:],
                                 duration=100, loop=0),
      "animated GIF (first frame used)", "ok", size=(64, 48))
write("webp-lossy.webp", encode(pic, "WEBP", quality=80), "lossy WebP", "ok", size=(64, 48))
write("webp-lossless-alpha.webp", encode(picture(mode="RGBA"), "WEBP", lossless=True),
      "lossless WebP with alpha", "ok", size=(64, 48))
write("bmp-24bit.bmp", encode(pic, "BMP"), "24-bit BMP", "ok", size=(64, 48))

# 50 megapixels, mostly flat so it compresses well: accepted, and scaled
# down by the session (shorter side ≤ 1024 px) before it is kept.
big = Image.new("RGB", (8660, 5774), (90, 120, 160))
d = ImageDraw.Draw(big)
d.rectangle((0, 0, 8659, 1500), fill=(180, 200, 230))
d.ellipse((3000, 2000, 5600, 4600), fill=(230, 170, 60))
write("jpeg-50mp.jpg", encode(big, "JPEG", quality=75, optimize=True),
      "valid 50-megapixel photo (8660×5774): accepted and scaled down, not rejected", "ok",
      size=(8660, 5774))
del big, d

# ---- broken files -------------------------------------------------------------

rng = random.Random(20261126)
write("empty.png", b"", "empty file (0 bytes) named .png", "BadInput", ["empty"])
write("empty.jpg", b"", "empty file (0 bytes) named .jpg", "BadInput", ["empty"])
write("random.png", bytes([0x07]) + bytes(rng.randrange(256) for _ in range(4095)),
      "4 KiB of random bytes named .png", "BadInput", ["not an image"])
write("random.jpg", bytes([0x13]) + bytes(rng.randrange(256) for _ in range(4095)),
      "4 KiB of random bytes named .jpg", "BadInput", ["not an image"])
good_png = encode(picture(256, 192), "PNG")
write("png-truncated.png", good_png[:len(good_png) // 2],
      "PNG cut in half (an interrupted download)", "BadInput", ["png"])
write("png-truncated-header.png", good_png[:20], "PNG cut inside its header", "BadInput",
      ["png"])
idat = good_png.index(b"IDAT")
bad = bytearray(good_png)
bad[idat + 40] ^= 0x55
write("png-bad-crc.png", bytes(bad), "PNG with one byte changed in its data (CRC mismatch)",
      "BadInput", ["png"])
write("png-short-idat.png", png(64, 48, 8, 2, b"\x00" * 500),
      "PNG whose data holds fewer rows than its header says", "BadInput", ["png"])
write("png-zero-width.png", png_header_only(0, 48), "PNG header claiming 0×48 pixels",
      "BadInput", ["png"])
good_jpg = encode(picture(256, 192), "JPEG", quality=90)
write("jpeg-truncated.jpg", good_jpg[:len(good_jpg) // 2],
      "JPEG cut in half (would decode as half grey)", "BadInput", ["jpeg", "cut short"])
write("jpeg-truncated-end.jpg", good_jpg[:-2], "JPEG missing only its end marker",
      "BadInput", ["jpeg", "cut short"])
prog = encode(picture(256, 192), "JPEG", quality=90, progressive=True)
write("jpeg-progressive-truncated.jpg", prog[:len(prog) * 2 // 3],
      "progressive JPEG cut after some scans", "BadInput", ["jpeg", "cut short"])
write("jpeg-soi-only.jpg", b"\xff\xd8\xff\xd9", "JPEG start and end markers, nothing between",
      "BadInput", ["jpeg"])
write("gif-truncated.gif", encode(picture(), "GIF")[:200], "GIF cut short", "BadInput",
      ["gif"])

# ---- cut short or damaged, judged by structure on the page --------------------
# The page lets the browser decode, and browsers draw a broken file as far as
# it goes; src/file/ refuses these before the browser sees them.


def adam7_png(width, height, level=9, drop=0):
    """An interlaced (Adam7) 8-bit RGB PNG of a gradient; `drop` bytes of
    its filtered data left out (a complete zlib stream that is too short)."""
    raw = bytearray()
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                           (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        for y in range(y0, height, dy):
            xs = range(x0, width, dx)
            if not xs:
                continue
            raw += b"\x00" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 128)) for x in xs)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(bytes(raw[:len(raw) - drop]), level))
            + chunk(b"IEND", b""))


def gif_lzw(width, height, pixels):
    """A GIF with a 4-colour table whose picture data codes `pixels` pixels
    (clear, two literals, repeated: the code size stays 3 bits), then ends."""
    codes = []
    for i in range(0, pixels, 2):
        codes += [4] + [(i // 7) % 4, (i // 5) % 4][:min(2, pixels - i)]
    codes.append(5)
    acc = n = 0
    data = bytearray()
    for c in codes:
        acc |= c << n
        n += 3
        while n >= 8:
            data.append(acc & 0xFF)
            acc >>= 8
            n -= 8
    if n:
        data.append(acc)
    blocks = b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                      for i in range(0, len(data), 255))
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x81, 0, 0)
            + bytes((0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255))
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
            + b"\x02" + blocks + b"\x00" + b"\x3b")


def bmp_rle8(width, height, end=True):
    """An RLE8 BMP: each row two runs of palette indices, then end-of-line;
    the end-of-bitmap mark last (left out when `end` is false)."""
    rle = bytearray()
    for y in range(height):
        rle += bytes((width // 2, y % 4, width - width // 2, (y + 1) % 4, 0, 0))
    if end:
        rle += b"\x00\x01"
    palette = b"".join(bytes((b, g, r, 0)) for r, g, b in
                       [(200, 30, 30), (30, 200, 30), (30, 30, 200), (240, 240, 240)])
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(rle), 2835, 2835, 4, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(rle), 0, 0, offset) + info + palette + bytes(rle)


small_png = encode(pic, "PNG")
write("png-no-iend.png", small_png[:-12], "PNG missing only its final IEND chunk",
      "BadInput", ["png", "cut short"])
write("png-interlaced.png", adam7_png(64, 48), "interlaced (Adam7) PNG", "ok", size=(64, 48))
write("png-interlaced-short.png", adam7_png(64, 48, drop=200),
      "interlaced PNG whose data stops 200 bytes before its last pass ends", "BadInput",
      ["png", "damaged or cut short"])
write("png-stored.png", png(64, 48, 8, 0, b"".join(b"\x00" + bytes(range(64)) for _ in range(48)),
                            level=0),
      "PNG with uncompressed (stored) zlib blocks", "ok", size=(64, 48))
good_gif = encode(pic, "GIF")
write("gif-no-trailer.gif", good_gif[:-1], "GIF missing only its trailer byte",
      "BadInput", ["gif", "cut short"], size=(64, 48))
write("gif-lzw.gif", gif_lzw(64, 48, 64 * 48), "hand-made GIF (4 colours, plain LZW codes)",
      "ok", size=(64, 48))
write("gif-short-lzw.gif", gif_lzw(64, 48, 1000),
      "GIF whose picture data ends after 1000 of its 3072 pixels", "BadInput",
      ["gif", "1000 of"])
good_bmp = encode(pic, "BMP")
write("bmp-truncated.bmp", good_bmp[:len(good_bmp) - 100], "24-bit BMP missing its last 100 bytes",
      "BadInput", ["bmp", "cut short"])
write("bmp-rle8.bmp", bmp_rle8(64, 48), "RLE8-compressed BMP", "ok", size=(64, 48))
write("bmp-rle8-no-end.bmp", bmp_rle8(64, 48, end=False)[:-30],
      "RLE8 BMP cut short before its end-of-bitmap mark", "BadInput",
      ["bmp", "cut short"])
good_webp = encode(pic, "WEBP", quality=80)
write("webp-truncated.webp", good_webp[:len(good_webp) // 2], "lossy WebP cut in half",
      "BadInput", ["webp", "cut short"])

# ---- hostile headers: refused from the header, before any pixel -------------

write("png-100000x100000.png", png_header_only(100_000, 100_000),
      "PNG header claiming 100000×100000 pixels, no data", "TooLarge", ["100000×100000"],
      header_only=True)
write("png-65535x65535.png", png_header_only(65_535, 65_535),
      "PNG header claiming 65535×65535 pixels, no data", "TooLarge", ["65535×65535"],
      header_only=True)
write("jpeg-65535x65535.jpg", jpeg_with_size(encode(pic, "JPEG"), 65_535, 65_535),
      "JPEG whose frame header claims 65535×65535", "TooLarge", ["65535×65535"],
      header_only=True)
gif = bytearray(encode(pic, "GIF"))
gif[6:10] = struct.pack("<HH", 65_535, 65_535)
write("gif-65535x65535.gif", bytes(gif), "GIF whose screen descriptor claims 65535×65535",
      "TooLarge", ["65535×65535"], header_only=True)
bmp = bytearray(encode(pic, "BMP"))
bmp[18:26] = struct.pack("<ii", 100_000, 100_000)
write("bmp-100000x100000.bmp", bytes(bmp), "BMP header claiming 100000×100000", "TooLarge",
      ["100000×100000"], header_only=True)
vp8x = struct.pack("<I", 0) + (16_777_215).to_bytes(3, "little") * 2
webp_body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + vp8x
write("webp-huge-canvas.webp", b"RIFF" + struct.pack("<I", len(webp_body)) + webp_body,
      "WebP extended header claiming a 16777216×16777216 canvas", "TooLarge", ["16777216"],
      header_only=True)
write("png-bomb-20000x20000.png", png_bomb(20_000, 20_000),
      "decompression bomb: 50 KB of zlib that inflates to 20000×20000 pixels", "TooLarge",
      ["20000×20000"], header_only=True)
write("png-bomb-10001x10000.png", png_bomb(10_001, 10_000),
      "decompression bomb just above 100 megapixels (sides within limits)", "TooLarge",
      ["megapixels"], header_only=True)
write("png-16385x1.png", png(16385, 1, 8, 0, b"\x00" + b"\x80" * 16385),
      "16385×1 line: one pixel over the largest side", "TooLarge", ["16384"],
      header_only=True)

# ---- real files of formats normscope does not decode --------------------------

heic = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic"
heic += struct.pack(">I", 40) + b"meta" + bytes(32)
write("photo.heic", heic, "HEIC photo header (iPhone default)", "Unsupported",
      ["heic", "convert", "jpeg"])
heif = struct.pack(">I", 24) + b"ftypmif1" + b"\0\0\0\0" + b"mif1heic" + bytes(40)
write("photo-heic-named.jpg", heif, "HEIF (mif1 brand) saved with a .jpg name",
      "Unsupported", ["heic", "convert", "jpeg"])
avif = struct.pack(">I", 28) + b"ftypavif" + b"\0\0\0\0" + b"avifmif1miaf" + bytes(40)
write("photo.avif", avif, "AVIF header", "Unsupported", ["avif", "convert"])
mp4 = struct.pack(">I", 24) + b"ftypisom" + b"\0\0\2\0" + b"isomiso2" + bytes(40)
write("clip.mp4", mp4, "MP4 video header", "Unsupported", ["video"])
write("tiff-rgb.tif", encode(pic, "TIFF"), "TIFF image", "Unsupported", ["tiff", "convert"])
write("tiff-bigendian.tif", b"MM\0*" + bytes(60), "big-endian TIFF header", "Unsupported",
      ["tiff"])
write("drawing.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
      b'width="10" height="10"><rect width="10" height="10" fill="red"/></svg>\n',
      "SVG drawing", "Unsupported", ["svg", "png"])
write("drawing-bare.svg", b'<svg viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>',
      "SVG without an XML declaration", "Unsupported", ["svg"])
write("document.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
      b"trailer\n<< /Root 1 0 R >>\n%%EOF\n", "PDF document", "Unsupported", ["pdf"])
write("notes.txt", "Exam notes — normalisation: μ, σ².\nNothing to see here.\n".encode(),
      "UTF-8 text file", "Unsupported", ["text file"])
write("text-named.png", b"this is not a picture, just words\n",
      "text saved with a .png name", "Unsupported", ["text file"])
write("page.html", b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>",
      "HTML page with a script-like attribute", "Unsupported", ["html"])
write("icon.ico", encode(picture(32, 32), "ICO"), "Windows icon", "Unsupported",
      ["ico", "not supported"])
write("image.ppm", encode(pic, "PPM"), "binary PPM (netpbm)", "Unsupported",
      ["pnm", "not supported"])
write("archive.zip", b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(200)),
      "ZIP archive", "BadInput", ["not an image"])

# ---- .npy batches (core: npy::read_npy; cli: normalize FILE.npy) -------------

NPY_PAGE_SAYS = ["npy", "command-line"]


def write_npy(name, data, what, core, says=(), page="Unsupported", page_says=None):
    write(name, data, what, core, says, page=page,
          page_says=NPY_PAGE_SAYS if page_says is None else page_says, npy=True)


write_npy("npy-ok-f4.npy", npy("<f4", (2, 3, 4, 4), f32(ramp(96))),
          "valid float32 2×3×4×4 batch (control)", "ok")
write_npy("npy-ok-f8.npy", npy("<f8", (1, 3, 2, 2), f64(ramp(12))),
          "valid float64 batch (converted to float32)", "ok")
write_npy("npy-ok-fortran.npy", npy("<f4", (1, 2, 2, 3), f32(ramp(12)), fortran=True),
          "valid Fortran-order batch", "ok")
write_npy("npy-ok-bigendian.npy", npy(">f4", (1, 1, 2, 2), f32(ramp(4), big=True)),
          "valid big-endian float32 batch", "ok")
write_npy("npy-ok-v2.npy", npy("<f4", (1, 1, 2, 2), f32(ramp(4)), version=2),
          "valid format-version-2 file", "ok")
write_npy("npy-3d.npy", npy("<f4", (3, 4, 4), f32(ramp(48))), "3-D array (C×H×W)",
          "BadInput", ["3 dimension", "n×c×h×w"])
write_npy("npy-5d.npy", npy("<f4", (1, 1, 1, 2, 2), f32(ramp(4))), "5-D array", "BadInput",
          ["5 dimension"])
write_npy("npy-1d.npy", npy("<f4", (4,), f32(ramp(4))), "1-D array", "BadInput",
          ["1 dimension"])
write_npy("npy-int32.npy", npy("<i4", (1, 1, 2, 2), struct.pack("<4i", 1, 2, 3, 4)),
          "int32 array", "BadInput", ["float32"])
write_npy("npy-uint8.npy", npy("|u1", (1, 1, 2, 2), bytes([1, 2, 3, 4])), "uint8 array",
          "BadInput", ["float32"])
write_npy("npy-complex.npy", npy("<c8", (1, 1, 1, 2), bytes(16)), "complex64 array",
          "BadInput", ["float32"])
write_npy("npy-object.npy", npy("|O", (1, 1, 1, 1), b"\x80\x02N."),
          "object array (a pickle inside)", "BadInput", ["float32"])
write_npy("npy-nan.npy", npy("<f4", (1, 1, 2, 2), f32([0.1, float("nan"), 0.3, 0.4])),
          "float32 with a NaN", "BadInput", ["nan", "finite"])
write_npy("npy-inf.npy", npy("<f4", (1, 1, 2, 2), f32([0.1, 0.2, float("inf"), 0.4])),
          "float32 with +∞", "BadInput", ["inf", "finite"])
write_npy("npy-f8-too-big.npy", npy("<f8", (1, 1, 1, 2), f64([1.0, 1e300])),
          "float64 value too large for float32", "BadInput", ["too large for float32"])
write_npy("npy-lying-header.npy", npy("<f4", (1000, 3, 1000, 1000), f32(ramp(25))),
          "header claims 1000×3×1000×1000 (12 GB); 100 bytes of data", "BadInput",
          ["damaged or cut short"])
write_npy("npy-short-header.npy", npy("<f4", (1, 1, 2, 2), f32(ramp(8))),
          "header claims fewer values than the file holds", "BadInput",
          ["damaged or cut short"])
write_npy("npy-overflow-shape.npy",
          npy("<f4", (2**40, 2**40, 2**40, 2**40), f32(ramp(4))),
          "shape whose product overflows 64 bits", "BadInput", ["impossible shape"])
write_npy("npy-zero-size.npy", npy("<f4", (0, 3, 4, 4), b""), "zero-size 0×3×4×4 array",
          "BadInput", ["no values"])
write_npy("npy-header-past-end.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", 60000) + b"{",
          "header length points past the end of the file", "BadInput", ["cut short"])
write_npy("npy-bad-dict.npy", npy("", (), b"", header="this is not a dict"),
          "header that is not a Python dict", "BadInput", ["header is not valid"])
write_npy("npy-version-9.npy", b"\x93NUMPY\x09\x00" + bytes(60), "unknown format version 9",
          "Unsupported", ["version 9"])
write_npy("npy-empty.npy", b"", "empty file named .npy", "BadInput", ["not a .npy"],
          page="BadInput", page_says=["empty"])
write_npy("npy-is-png.npy", encode(pic, "PNG"), "a PNG image named .npy", "BadInput",
          ["not a .npy"], page="ok", page_says=[])

# ---- manifest -------------------------------------------------------------------

ENTRIES.sort(key=lambda e: e["file"])
with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(ENTRIES, f, ensure_ascii=False, indent=1)
    f.write("\n")

lines = [
    "# The bad-input corpus",
    "",
    "Written by `make_corpus.py` (Pillow; deterministic). `manifest.json` holds",
    "the same table for the tests: `tests/native_corpus.rs` (core),",
    "`tests/cli_corpus.rs` (CLI) and `tests/e2e/corpus.spec.js` (page). Each",
    "error message must name the file and contain the listed words; *header*",
    "marks files refused from the header alone, before any pixel is decoded or",
    "allocated. For `.npy` files the core door is `npy::read_npy` and the CLI",
    "reads them as a batch; the page takes images only.",
    "",
    "| file | what it is | core and CLI | page |",
    "|---|---|---|---|",
]
for e in ENTRIES:
    def cell(outcome, says):
        return outcome + (f" ({', '.join(says)})" if says else "")
    core = cell(e["core"], e["says"]) + (", header" if e.get("header_only") else "")
    page = cell(e["page"], e["page_says"])
    if e["page"] == e["core"] and e["page_says"] == e["says"]:
        page = "same"
    lines.append(f"| `{e['file']}` | {e['what']} | {core} | {page} |")
lines.append("")
lines.append(f"{len(ENTRIES)} files, {sum(os.path.getsize(os.path.join(HERE, e['file'])) for e in ENTRIES) // 1024} KiB in all.")
with open(os.path.join(HERE, "MANIFEST.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
print(f"wrote {len(ENTRIES)} files")
