import type { RgbImage } from '@perfusion/encoders';

/**
 * The EXIF orientation (1..8) of a JPEG's APP1 "Exif" payload, as jpeg-js hands it over (the bytes
 * after "Exif\0", so usually one padding zero before the TIFF header). Anything missing or
 * malformed gives 1, "as stored": a bad tag must not make an image unusable.
 */
export function exifOrientation(exif: Uint8Array | undefined): number {
  if (exif === undefined) return 1;
  const tiff = exif[0] === 0 ? exif.subarray(1) : exif;
  if (tiff.length < 8) return 1;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return 1; // "II" little-endian, "MM" big-endian
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) return 1;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return 1;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (view.getUint16(entry, little) !== 0x0112) continue; // Orientation
    const value = view.getUint16(entry + 8, little); // type SHORT, count 1: the value sits in the entry
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/**
 * The image as it is meant to be seen given its EXIF orientation, as PIL's
 * `ImageOps.exif_transpose`: 2 mirror, 3 rotate 180°, 4 flip upside down, 5 transpose,
 * 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise. 1 returns `image` itself.
 */
export function applyExifOrientation(image: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const swaps = orientation >= 5;
  const width = swaps ? h : w;
  const height = swaps ? w : h;
  // Where output pixel (x, y) comes from in the stored image.
  const source: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * w + (w - 1 - x),
    3: (x: number, y: number) => (h - 1 - y) * w + (w - 1 - x),
    4: (x: number, y: number) => (h - 1 - y) * w + x,
    5: (x: number, y: number) => x * w + y,
    6: (x: number, y: number) => (h - 1 - x) * w + y,
    7: (x: number, y: number) => (h - 1 - x) * w + (w - 1 - y),
    8: (x: number, y: number) => x * w + (w - 1 - y),
  }[orientation]!;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = source(x, y) * 3;
      const to = (y * width + x) * 3;
      data[to] = image.data[from]!;
      data[to + 1] = image.data[from + 1]!;
      data[to + 2] = image.data[from + 2]!;
    }
  }
  return { width, height, data };
}
