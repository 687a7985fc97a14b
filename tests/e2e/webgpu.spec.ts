import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';

// SwiftShader's WebGPU adapter: correct but very slow, so only a tiny input.
test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

test('WebGPU and WASM backends agree on a 64x48 input', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/diagnostics.html?width=64&height=48');
  const state = page.locator('#state');
  await expect(state).toHaveText('Done', { timeout: 280_000 });
  const report = JSON.parse((await state.getAttribute('data-report')) ?? '{}') as {
    runs: { backend: string; reason: string; error: string | null; netWidth: number | null; netHeight: number | null }[];
    maxAbsDiff: number | null;
  };
  const [gpu, wasm] = report.runs;
  expect(gpu.error).toBeNull();
  expect(gpu.backend).toBe('webgpu');
  expect(wasm.error).toBeNull();
  expect(wasm.backend).toBe('wasm');
  expect([gpu.netWidth, gpu.netHeight]).toEqual([64, 48]);
  expect(report.maxAbsDiff).not.toBeNull();
  expect(report.maxAbsDiff as number).toBeLessThanOrEqual(1e-3);
  console.log(`WebGPU vs WASM: max abs diff ${report.maxAbsDiff}`);
});
