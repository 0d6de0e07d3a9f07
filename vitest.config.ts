import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  resolve: {
    // Examples in the docs import the package by name; tests run them against the source.
    alias: [
      { find: /^descend\/(\w+)$/, replacement: fileURLToPath(new URL('./src/$1/index.ts', import.meta.url)) },
      { find: /^descend$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // WebGPU without a GPU: Dawn finds SwiftShader through the Vulkan ICD that Debian's chromium installs.
    env:
      existsSync(SWIFTSHADER_ICD) && !process.env.VK_ICD_FILENAMES
        ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD }
        : {},
    testTimeout: 60_000,
  },
});
