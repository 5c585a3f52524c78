/**
 * Loads every semantic family; each registers its handlers with `define` (src/cpu/dispatch.ts) at load.
 * Import this module once before running the CPU (src/cpu/index.ts does).
 */
export {};
