import { encodePng, type RgbImage } from '@perfusion/encoders';

/** The image as a `data:image/png;base64,...` URL, which an `<img>` shows as it is. */
export function pngDataUrl(image: RgbImage): string {
  const png = encodePng(image);
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}
