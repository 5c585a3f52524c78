export * from "./constants";
export * from "./defaults";
export * from "./info";
export * from "./key";
export * from "./persist";
export * from "./registry";
export * from "./wow64";
