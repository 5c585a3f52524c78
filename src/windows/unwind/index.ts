/** Unwinding: the x64 unwinder over .pdata (RtlLookupFunctionEntry, RtlVirtualUnwind). See README.md. */
export * from "./x64";
