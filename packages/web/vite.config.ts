import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `npm run dev:web` forwards the API and the WebSocket: a server started with `npm start`. */
const server = process.env.PARLEY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    // The server's CSP allows no inline code; keep every asset a file of its own.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    // The Host header is kept (no changeOrigin), so the server's same-origin check passes for
    // the dev server's Origin without setting PARLEY_ORIGINS.
    proxy: {
      "/ws": { target: server, ws: true },
      "/api": { target: server },
    },
  },
});
