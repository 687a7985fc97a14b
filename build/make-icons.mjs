// Renders build/icon.svg to the PNGs electron-builder uses: icon.png (1024, converted to .icns
// and .ico by electron-builder) and icons/<size>x<size>.png for Linux desktop entries.
// Run: node build/make-icons.mjs
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const svg = join(here, 'icon.svg');
const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512];

await sharp(svg, { density: 72 }).resize(1024, 1024).png({ compressionLevel: 9 }).toFile(join(here, 'icon.png'));
await mkdir(join(here, 'icons'), { recursive: true });
for (const size of LINUX_SIZES) {
  await sharp(svg, { density: 72 })
    .resize(size, size, { kernel: 'lanczos3' })
    .png({ compressionLevel: 9 })
    .toFile(join(here, 'icons', `${size}x${size}.png`));
}
console.log(`icons written to ${here}`);
