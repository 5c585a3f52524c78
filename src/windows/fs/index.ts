export * from "./constants";
export * from "./host";
export * from "./path";
export * from "./redirect";
export * from "./vfs";
export * from "./wildcard";
export * from "./mount";
