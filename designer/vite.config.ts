import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.LEDGERLINE_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Keep the big editor libraries in their own cacheable chunks.
        manualChunks(id: string) {
          if (id.includes('@codemirror') || id.includes('/codemirror/') || id.includes('@lezer')) return 'codemirror';
          if (id.includes('@xyflow')) return 'xyflow';
          if (id.includes('/uplot/')) return 'uplot';
          if (id.includes('/react-dom/') || id.includes('/react/') || id.includes('/scheduler/')) return 'react';
          return undefined;
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': apiTarget, '/webhooks': apiTarget, '/healthz': apiTarget },
  },
});
