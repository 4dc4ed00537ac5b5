#!/usr/bin/env python3
"""Write handouts/render/sRGB.icc, the output intent's colour profile (PDF/A), with Pillow's LittleCMS.

    python tools/make_srgb_icc.py

Run once; the file ships as package data, so nothing is generated at run time.
"""

from pathlib import Path

from PIL import ImageCms

TARGET = Path(__file__).resolve().parent.parent / "handouts" / "render" / "sRGB.icc"

if __name__ == "__main__":
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    TARGET.write_bytes(profile.tobytes())
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
