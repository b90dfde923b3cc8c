import { defineConfig } from "vite";

// A static site: relative asset paths, so that `dist/` opens from any folder or server path.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
