/**
 * Loads every semantic family; each registers its handlers with `define` (src/cpu/dispatch.ts) at load.
 * Import this module once before running the CPU (src/cpu/index.ts does).
 */
export {};
import "./sse-move";
import "./sse-float";
import "./sse-convert";
import "./sse-int";
import "./mmx";
import "./sse-state";
import "./alu";
import "./shift";
import "./muldiv";
import "./bit";
import "./bcd";
import "./move";
import "./control";
import "./stack";
import "./string";
import "./misc";
import "./x87";
